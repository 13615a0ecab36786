"""Every table and column of the nightly extract (extract-contract.md §3–4).

Names are the Standard Safeguarding Dataset's, letter for letter. This is the
one definition: GE suites, dbt sources and staging models, the generator and
the docs are all derived from `TABLES`.
"""

from __future__ import annotations

from .model import Column, Table

C = Column


def _pk(name: str, description: str = "Identifier, unique within the authority.") -> Column:
    return Column(name, "text", description, primary_key=True, not_null=True)


def _person_fk(name: str, description: str = "The child (ssd_person).", **kw) -> Column:
    return Column(name, "text", description, references=("ssd_person", "pers_person_id"), **kw)


_CLA_ID_REF = ("ssd_cla_episodes", "clae_cla_id")

TABLES: tuple[Table, ...] = (
    Table(
        "ssd_person",
        "One row per person known to children's social care.",
        (
            _pk("pers_person_id"),
            C("pers_forename", "text", "Forename.", optional=True, pii=True),
            C("pers_surname", "text", "Surname.", optional=True, pii=True),
            C("pers_sex", "code", "Sex.", code_set="sex"),
            C("pers_ethnicity", "code", "Ethnicity; empty counts as not known.", code_set="ethnicity"),
            C("pers_dob", "date", "Date of birth; NULL when only an expected date is known.", pii=True),
            C("pers_expected_dob", "date", "Expected date of birth of an unborn child.",
              optional=True, pii=True, happened=False),
            C("pers_death_date", "date", "Date of death.", optional=True),
            C("pers_upn", "text", "Unique pupil number.", optional=True, pii=True),
        ),
    ),
    Table(
        "ssd_family",
        "One row per person in a family group.",
        (
            _pk("fami_table_id"),
            C("fami_family_id", "text", "The family group."),
            _person_fk("fami_person_id", "The family member (ssd_person)."),
        ),
        required=False,
    ),
    Table(
        "ssd_legal_status",
        "One row per legal status held by a child.",
        (
            _pk("lega_legal_status_id"),
            _person_fk("lega_person_id"),
            C("lega_legal_status", "code", "Legal status code (local codes warn).", code_set="legal_status"),
            C("lega_legal_status_start_date", "date", "Start of the legal status."),
            C("lega_legal_status_end_date", "date", "End of the legal status; NULL while in force."),
        ),
        closed_by="lega_legal_status_end_date",
    ),
    Table(
        "ssd_cla_episodes",
        "One row per episode of care; episodes sharing clae_cla_id form a period of care.",
        (
            _pk("clae_cla_episode_id"),
            _person_fk("clae_person_id"),
            C("clae_cla_id", "text", "Period of care that groups episodes.", not_null=True),
            C("clae_cla_episode_start_date", "date", "Start of the episode.", not_null=True),
            C("clae_cla_episode_start_reason", "code", "Reason for new episode.", code_set="episode_start_reason"),
            C("clae_cla_primary_need_code", "code", "Category of need.", code_set="primary_need"),
            C("clae_cla_episode_ceased_date", "date", "End of the episode; NULL while open."),
            C("clae_cla_episode_ceased_reason", "code", "Reason the episode ceased.",
              code_set="episode_ceased_reason"),
            C("clae_entered_care_date", "date", "Start of the period of care.", optional=True),
            C("clae_cla_placement_id", "text", "Placement of the episode.", optional=True),
            C("clae_referral_id", "text", "Referral.", optional=True),
            C("clae_cla_last_iro_contact_date", "date", "Last IRO contact.", optional=True),
        ),
        closed_by="clae_cla_episode_ceased_date",
    ),
    Table(
        "ssd_cla_placement",
        "One row per placement of a child looked after.",
        (
            _pk("clap_cla_placement_id"),
            C("clap_cla_id", "text", "Period of care.", references=_CLA_ID_REF),
            _person_fk("clap_person_id"),
            C("clap_cla_placement_start_date", "date", "Start of the placement."),
            C("clap_cla_placement_end_date", "date", "End of the placement; NULL while open."),
            C("clap_cla_placement_type", "code", "Placement type.", code_set="placement_type"),
            C("clap_cla_placement_provider", "code", "Placement provider.", code_set="placement_provider"),
            C("clap_cla_placement_postcode", "text", "Placement postcode.", optional=True, pii=True),
            C("clap_cla_placement_distance", "number", "Distance from home in miles; 999.9 = unknown."),
            C("clap_cla_placement_urn", "text", "Ofsted URN of the placement.", optional=True),
            C("clap_cla_placement_change_reason", "code", "Reason for placement change.",
              optional=True, code_set="placement_change_reason"),
        ),
        closed_by="clap_cla_placement_end_date",
    ),
    Table(
        "ssd_cla_reviews",
        "One row per statutory review of a child looked after.",
        (
            _pk("clar_cla_review_id"),
            C("clar_cla_id", "text", "Period of care.", references=_CLA_ID_REF),
            _person_fk("clar_cla_person_id", optional=True),
            C("clar_cla_review_due_date", "date", "The case system's own due date.", happened=False),
            C("clar_cla_review_date", "date", "Date the review was held."),
            C("clar_cla_review_cancelled", "yn", "Review cancelled."),
            C("clar_cla_review_participation", "code", "Participation of the child.", code_set="participation"),
        ),
    ),
    Table(
        "ssd_cla_health",
        "One row per health check of a child looked after.",
        (
            _pk("clah_health_check_id"),
            _person_fk("clah_person_id"),
            C("clah_health_check_type", "text", "Type of check as the case system records it."),
            # A Planned check may be dated in the future; the status rule is in validation.
            C("clah_health_check_date", "date", "Date of the check.", happened=False),
            C("clah_health_check_status", "code", "Status.", code_set="health_check_status"),
        ),
    ),
    Table(
        "ssd_cla_care_plan",
        "One row per care plan of a child looked after.",
        (
            _pk("lacp_table_id"),
            _person_fk("lacp_person_id"),
            C("lacp_cla_care_plan_start_date", "date", "Start of the care plan."),
            C("lacp_cla_care_plan_end_date", "date", "End of the care plan."),
            C("lacp_cla_care_plan_json", "text", "Permanence plan as JSON.", optional=True),
        ),
        closed_by="lacp_cla_care_plan_end_date",
    ),
    Table(
        "ssd_permanence",
        "One row per permanence decision record.",
        (
            _pk("perm_table_id"),
            _person_fk("perm_person_id"),
            C("perm_cla_id", "text", "Period of care."),
            C("perm_adm_decision_date", "date", "Agency decision maker: should be placed for adoption."),
            C("perm_placement_order_date", "date", "Placement order."),
            C("perm_placed_for_adoption_date", "date", "Placed for adoption."),
            C("perm_matched_date", "date", "Matched with adopters."),
            C("perm_decision_reversed_date", "date", "Decision reversed."),
            C("perm_permanence_order_date", "date", "Permanence order."),
            C("perm_permanence_order_type", "code", "Type of permanence order.", code_set="permanence_order_type"),
        ),
    ),
    Table(
        "ssd_s47_enquiry",
        "One row per section 47 enquiry.",
        (
            _pk("s47e_s47_enquiry_id"),
            _person_fk("s47e_person_id"),
            C("s47e_referral_id", "text", "Referral."),
            C("s47e_s47_start_date", "date", "Strategy discussion that began the enquiry."),
            C("s47e_s47_end_date", "date", "End of the enquiry."),
            C("s47e_s47_nfa", "yn", "No further action."),
        ),
        closed_by="s47e_s47_end_date",
    ),
    Table(
        "ssd_initial_cp_conference",
        "One row per child per initial child protection conference.",
        (
            _pk("icpc_icpc_id"),
            _person_fk("icpc_person_id"),
            C("icpc_s47_enquiry_id", "text", "The s47 enquiry; NULL for transfer-ins.",
              references=("ssd_s47_enquiry", "s47e_s47_enquiry_id")),
            C("icpc_icpc_meeting_id", "text", "Meeting; children of one family share it."),
            C("icpc_cp_plan_id", "text", "Plan that resulted."),
            C("icpc_referral_id", "text", "Referral."),
            C("icpc_icpc_transfer_in", "yn", "Transfer-in conference."),
            C("icpc_icpc_target_date", "date", "Target date.", happened=False),
            C("icpc_icpc_date", "date", "Date held."),
            C("icpc_icpc_outcome_cp_flag", "yn", "Outcome: child protection plan."),
        ),
    ),
    Table(
        "ssd_cp_plans",
        "One row per child protection plan.",
        (
            _pk("cppl_cp_plan_id"),
            _person_fk("cppl_person_id"),
            C("cppl_icpc_id", "text", "Initial conference."),
            C("cppl_referral_id", "text", "Referral."),
            C("cppl_cp_plan_start_date", "date", "Start of the plan."),
            C("cppl_cp_plan_end_date", "date", "End of the plan; NULL while open."),
            C("cppl_cp_plan_initial_category", "code", "Initial category.", code_set="cp_category"),
            C("cppl_cp_plan_latest_category", "code", "Latest category.", code_set="cp_category"),
            C("cppl_cp_plan_ola", "yn", "Plan transferred from another authority.", optional=True),
        ),
        closed_by="cppl_cp_plan_end_date",
    ),
    Table(
        "ssd_cp_reviews",
        "One row per child per child protection review conference.",
        (
            _pk("cppr_cp_review_id"),
            _person_fk("cppr_person_id"),
            C("cppr_cp_plan_id", "text", "The plan.", references=("ssd_cp_plans", "cppl_cp_plan_id")),
            C("cppr_cp_review_due", "date", "Due date.", happened=False),
            C("cppr_cp_review_date", "date", "Date held."),
            C("cppr_cp_review_meeting_id", "text", "Meeting."),
            C("cppr_cp_review_outcome_continue_cp", "yn", "Plan continues."),
            C("cppr_cp_review_quorate", "yn", "Quorate."),
            C("cppr_cp_review_participation", "code", "Participation.", optional=True, code_set="participation"),
        ),
    ),
    Table(
        "ssd_involvements",
        "One row per allocation of a professional to a child (IRO allocation among them).",
        (
            _pk("invo_involvements_id"),
            C("invo_professional_id", "text", "The professional.",
              references=("ssd_professionals", "prof_professional_id")),
            C("invo_professional_role_id", "text", "Involvement type; which codes mean IRO is configuration."),
            C("invo_professional_team", "text", "Team."),
            C("invo_involvement_start_date", "date", "Start."),
            C("invo_involvement_end_date", "date", "End; NULL while open."),
            C("invo_worker_change_reason", "text", "Reason for change of worker.", optional=True),
            _person_fk("invo_person_id"),
            C("invo_referral_id", "text", "Referral.", optional=True),
        ),
        closed_by="invo_involvement_end_date",
    ),
    Table(
        "ssd_professionals",
        "One row per professional.",
        (
            _pk("prof_professional_id"),
            C("prof_staff_id", "text", "Staff number."),
            C("prof_professional_name", "text", "Name.", pii=True),
            C("prof_professional_job_title", "text", "Job title."),
            C("prof_professional_caseload", "number", "Caseload.", optional=True),
            C("prof_full_time_equivalency", "number", "FTE.", optional=True),
        ),
    ),
    Table(
        "loc_lado_allegations",
        "One row per allegation referred to the Local Authority Designated Officer.",
        (
            _pk("lado_allegation_id"),
            C("lado_referral_date", "date", "Date the LADO was notified.", not_null=True),
            C("lado_threshold_met", "yn", "Y = referral meeting the harm threshold, N = consultation only."),
            C("lado_referral_source", "code", "Referral source.", code_set="lado_referral_source"),
            C("lado_employment_sector", "code", "Employment sector.", code_set="lado_employment_sector"),
            C("lado_harm_category", "code", "Harm category.", code_set="lado_harm_category"),
            C("lado_strategy_meeting_date", "date", "Strategy meeting.", optional=True),
            C("lado_police_involved", "yn", "Police involved.", optional=True),
            C("lado_outcome", "code", "Outcome; NULL while open.", code_set="lado_outcome"),
            C("lado_outcome_date", "date", "Outcome date; NULL while open."),
            _person_fk("lado_child_person_id", optional=True),
            C("lado_subject_ref", "text", "The person the allegation is about.", pii=True),
        ),
        closed_by="lado_outcome_date",
        family="local",
    ),
    Table(
        "loc_iro_escalations",
        "One row per IRO practice alert or escalation.",
        (
            _pk("esca_escalation_id"),
            _person_fk("esca_person_id"),
            C("esca_professional_id", "text", "The IRO.", references=("ssd_professionals", "prof_professional_id")),
            C("esca_raised_date", "date", "Raised."),
            C("esca_stage", "code", "Highest stage reached.", code_set="escalation_stage"),
            C("esca_issue_category", "code", "Issue.", code_set="escalation_issue_category"),
            C("esca_resolved_date", "date", "Resolved; NULL while open."),
            C("esca_resolution", "code", "Resolution; NULL while open.", code_set="escalation_resolution"),
        ),
        closed_by="esca_resolved_date",
        family="local",
    ),
    Table(
        "loc_foster_carer_reviews",
        "One row per annual review of an approved foster carer household.",
        (
            _pk("fcar_review_id"),
            C("fcar_household_id", "text", "Foster carer household."),
            C("fcar_professional_id", "text", "Reviewing officer.",
              references=("ssd_professionals", "prof_professional_id")),
            C("fcar_review_due_date", "date", "Due date.", happened=False),
            C("fcar_review_date", "date", "Held; NULL if not yet held."),
            C("fcar_first_review", "yn", "First review after approval."),
            C("fcar_outcome", "code", "Outcome.", optional=True, code_set="foster_carer_review_outcome"),
        ),
        family="local",
    ),
    Table(
        "loc_cla_pep",
        "One row per personal education plan of a child looked after.",
        (
            _pk("pep_id"),
            _person_fk("pep_person_id"),
            C("pep_date", "date", "Completed or reviewed."),
        ),
        required=False,
        family="local",
    ),
    Table(
        "loc_reg33_visits",
        "One row per independent visit to one of the council's children's homes.",
        (
            _pk("r33_visit_id"),
            C("r33_home_urn", "text", "Ofsted URN of the home."),
            C("r33_visit_date", "date", "Visit."),
            C("r33_unannounced", "yn", "Unannounced."),
            C("r33_report_date", "date", "Report sent to Ofsted.", optional=True),
        ),
        required=False,
        family="local",
    ),
)

TABLES_BY_NAME: dict[str, Table] = {t.name: t for t in TABLES}
