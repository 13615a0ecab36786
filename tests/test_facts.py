"""The facts (reviews, child protection, LADO, the IRO service, looked-after snapshot) and
the measures built on them: one real `dbt build` on an empty warehouse holding one small,
hand-made council whose figures are known by construction.

The council E06999980 (extract 2023-05-15, window from 2017-05-15). Financial year 2022-23
(1 April 2022 – 31 March 2023) is the one checked:

  A  born 2015-01-10. Looked after from Mon 4 April 2022 (C2); an X1 episode change on
     1 September 2022 inside the same period of care. First review due 20 working days
     later, over Good Friday, Easter Monday and the early May bank holiday: 5 May 2022.
       R1 5 May 2022 (on its due date: on time, PN1)
       R2 10 Aug 2022 (due 5 Aug, 3 months after R1: 5 days late, PN7)
       R3 cancelled 1 Dec 2022 (not held)
       R4 10 Feb 2023 (due 10 Feb, 6 months after R2's actual date: on time, PN6;
          the case system recorded 5 Feb: a due-date mismatch)
     IRO W1 from 5 April 2022 and W2 from 1 March 2023 (two open involvements).
     Placed 25 miles away; care plan from 6 April 2022; health assessment 1 May 2022.
  B  born 2021-06-01. Looked after from 3 October 2022 (V2), no review: the first was due
     31 October 2022, so it is overdue at 31 December 2022 and 31 March 2023. No IRO.
     Placement distance 999.9 (unknown); no care plan; health assessment 20 October 2022.
  F  born 2012-02-02. On short breaks (V3) from 1 June 2022, never reviewed: not looked
     after in any measure but cla_short_breaks_at_period_end.
  C  born 2019-03-01. Looked after from 4 January 2021 until adopted on 30 November 2022
     (E11), aged 3; never reviewed (overdue at every period end until then).
  D  unborn (expected 2023-06-01): a pre-birth child protection plan from 16 January 2023
     (NEG), initial conference 11 January 2023, 15 working days after the s47 start of
     16 December 2022 over Christmas and New Year: on time.
  E  born 2008-01-01, in D's family. Plans P2 (2021-06-01 – 2022-06-01, EMO) and P3 from
     5 September 2022 (initial PHY, latest MUL): P3 is a repeat plan. P3's initial
     conference on 30 September 2022 was 16 working days after the s47 start of 7
     September (the state funeral of 19 September is not a working day): late. Review
     conferences 20 December 2022 (due 30 December) and 20 March 2023: both on time.
  G  a transfer-in initial conference on 1 November 2022: not counted.

LADO: L1 referred 31 January 2023, concluded 28 February 2023 (within one month: one month
after 31 January is 28 February); L2 a consultation concluded the day it was referred
(10 May 2022); L3 referred 1 June 2022, threshold met, still open; L4 referred 15 January
2022, concluded 20 May 2022 (within 12 months, not 3). Escalations: X1 (TM, PLACE) raised
1 July 2022, resolved 1 August 2022; X2 (INF, CPLAN) raised 1 February 2023, open. Foster
carer household H1: reviews 1 June 2021, 10 June 2022 (due 1 June 2022: late), 1 March
2023 (due 10 June 2023: on time). loc_cla_pep and loc_reg33_visits are absent from the drop.
"""

from __future__ import annotations

import re
import time
from datetime import date
from decimal import Decimal

import psycopg
from raw_rows import insert_raw, record_snapshot
from warehouse_db import own_warehouse, query_rows
import pytest

from csc_pipeline.contract import TABLES
from csc_pipeline.contract.measures import MEASURES_BY_ID
from csc_pipeline.transform import dbt_runner

COUNCIL = "E06999980"
EXTRACT_DATE = date(2023, 5, 15)
WINDOW_START = date(2017, 5, 15)
YEAR = "2022-23"
ABSENT = ("loc_cla_pep", "loc_reg33_visits")

ROWS: dict[str, list[dict]] = {
    "ssd_person": [
        {"pers_person_id": "A", "pers_sex": "M", "pers_ethnicity": "WBRI", "pers_dob": "2015-01-10"},
        {"pers_person_id": "B", "pers_sex": "F", "pers_ethnicity": "BAFR", "pers_dob": "2021-06-01"},
        {"pers_person_id": "C", "pers_sex": "F", "pers_ethnicity": "WBRI", "pers_dob": "2019-03-01"},
        {"pers_person_id": "D", "pers_sex": "U", "pers_ethnicity": "", "pers_expected_dob": "2023-06-01"},
        {"pers_person_id": "E", "pers_sex": "M", "pers_ethnicity": "WBRI", "pers_dob": "2008-01-01"},
        {"pers_person_id": "F", "pers_sex": "M", "pers_ethnicity": "WBRI", "pers_dob": "2012-02-02"},
        {"pers_person_id": "G", "pers_sex": "F", "pers_ethnicity": "WBRI", "pers_dob": "2016-05-05"},
    ],
    "ssd_family": [
        {"fami_table_id": "1", "fami_family_id": "FAM1", "fami_person_id": "D"},
        {"fami_table_id": "2", "fami_family_id": "FAM1", "fami_person_id": "E"},
    ],
    "ssd_cla_episodes": [
        {"clae_cla_episode_id": "EA1", "clae_person_id": "A", "clae_cla_id": "CA",
         "clae_cla_episode_start_date": "2022-04-04", "clae_cla_episode_start_reason": "S",
         "clae_cla_episode_ceased_date": "2022-09-01", "clae_cla_episode_ceased_reason": "X1"},
        {"clae_cla_episode_id": "EA2", "clae_person_id": "A", "clae_cla_id": "CA",
         "clae_cla_episode_start_date": "2022-09-01", "clae_cla_episode_start_reason": "P"},
        {"clae_cla_episode_id": "EB1", "clae_person_id": "B", "clae_cla_id": "CB",
         "clae_cla_episode_start_date": "2022-10-03", "clae_cla_episode_start_reason": "S"},
        {"clae_cla_episode_id": "EC1", "clae_person_id": "C", "clae_cla_id": "CC",
         "clae_cla_episode_start_date": "2021-01-04", "clae_cla_episode_start_reason": "S",
         "clae_cla_episode_ceased_date": "2022-11-30", "clae_cla_episode_ceased_reason": "E11"},
        {"clae_cla_episode_id": "EF1", "clae_person_id": "F", "clae_cla_id": "CF",
         "clae_cla_episode_start_date": "2022-06-01", "clae_cla_episode_start_reason": "S"},
    ],
    "ssd_legal_status": [
        {"lega_legal_status_id": "LA", "lega_person_id": "A", "lega_legal_status": "C2",
         "lega_legal_status_start_date": "2022-04-04"},
        {"lega_legal_status_id": "LB", "lega_person_id": "B", "lega_legal_status": "V2",
         "lega_legal_status_start_date": "2022-10-03"},
        {"lega_legal_status_id": "LC", "lega_person_id": "C", "lega_legal_status": "E1",
         "lega_legal_status_start_date": "2021-01-04", "lega_legal_status_end_date": "2022-11-30"},
        {"lega_legal_status_id": "LF", "lega_person_id": "F", "lega_legal_status": "V3",
         "lega_legal_status_start_date": "2022-06-01"},
    ],
    "ssd_cla_placement": [
        {"clap_cla_placement_id": "PLA", "clap_cla_id": "CA", "clap_person_id": "A",
         "clap_cla_placement_start_date": "2022-04-04", "clap_cla_placement_type": "U4",
         "clap_cla_placement_provider": "PR1", "clap_cla_placement_distance": "25.0"},
        {"clap_cla_placement_id": "PLB", "clap_cla_id": "CB", "clap_person_id": "B",
         "clap_cla_placement_start_date": "2022-10-03", "clap_cla_placement_type": "U6",
         "clap_cla_placement_provider": "PR1", "clap_cla_placement_distance": "999.9"},
    ],
    "ssd_cla_reviews": [
        {"clar_cla_review_id": "R1", "clar_cla_id": "CA", "clar_cla_review_due_date": "2022-05-05",
         "clar_cla_review_date": "2022-05-05", "clar_cla_review_cancelled": "N",
         "clar_cla_review_participation": "PN1"},
        {"clar_cla_review_id": "R2", "clar_cla_id": "CA", "clar_cla_review_due_date": "2022-08-05",
         "clar_cla_review_date": "2022-08-10", "clar_cla_review_cancelled": "N",
         "clar_cla_review_participation": "PN7"},
        {"clar_cla_review_id": "R3", "clar_cla_id": "CA", "clar_cla_review_due_date": "2023-02-10",
         "clar_cla_review_date": "2022-12-01", "clar_cla_review_cancelled": "Y"},
        {"clar_cla_review_id": "R4", "clar_cla_id": "CA", "clar_cla_review_due_date": "2023-02-05",
         "clar_cla_review_date": "2023-02-10", "clar_cla_review_cancelled": "N",
         "clar_cla_review_participation": "PN6"},
    ],
    "ssd_cla_health": [
        {"clah_health_check_id": "H1", "clah_person_id": "A", "clah_health_check_type": "Health Assessment",
         "clah_health_check_date": "2022-05-01", "clah_health_check_status": "Completed"},
        {"clah_health_check_id": "H2", "clah_person_id": "B", "clah_health_check_type": "health assessment",
         "clah_health_check_date": "2022-10-20", "clah_health_check_status": "Completed"},
        {"clah_health_check_id": "H3", "clah_person_id": "B", "clah_health_check_type": "Dental Check",
         "clah_health_check_date": "2022-10-21", "clah_health_check_status": "Completed"},
    ],
    "ssd_cla_care_plan": [
        {"lacp_table_id": "CP1", "lacp_person_id": "A", "lacp_cla_care_plan_start_date": "2022-04-06"},
    ],
    "ssd_permanence": [
        {"perm_table_id": "PM1", "perm_person_id": "C", "perm_cla_id": "CC",
         "perm_adm_decision_date": "2022-03-01", "perm_permanence_order_date": "2022-11-30",
         "perm_permanence_order_type": "Adoption"},
        {"perm_table_id": "PM2", "perm_person_id": "A", "perm_cla_id": "CA",
         "perm_adm_decision_date": "2022-12-01"},
    ],
    "ssd_s47_enquiry": [
        {"s47e_s47_enquiry_id": "S1", "s47e_person_id": "D", "s47e_s47_start_date": "2022-12-16"},
        {"s47e_s47_enquiry_id": "S3", "s47e_person_id": "E", "s47e_s47_start_date": "2022-09-07"},
    ],
    "ssd_initial_cp_conference": [
        {"icpc_icpc_id": "I1", "icpc_person_id": "D", "icpc_s47_enquiry_id": "S1", "icpc_icpc_meeting_id": "M1",
         "icpc_cp_plan_id": "P1", "icpc_icpc_transfer_in": "N", "icpc_icpc_date": "2023-01-11",
         "icpc_icpc_outcome_cp_flag": "Y"},
        {"icpc_icpc_id": "I3", "icpc_person_id": "E", "icpc_s47_enquiry_id": "S3", "icpc_icpc_meeting_id": "M3",
         "icpc_cp_plan_id": "P3", "icpc_icpc_transfer_in": "N", "icpc_icpc_date": "2022-09-30",
         "icpc_icpc_outcome_cp_flag": "Y"},
        {"icpc_icpc_id": "I9", "icpc_person_id": "G", "icpc_icpc_meeting_id": "M9",
         "icpc_icpc_transfer_in": "Y", "icpc_icpc_date": "2022-11-01", "icpc_icpc_outcome_cp_flag": "N"},
    ],
    "ssd_cp_plans": [
        {"cppl_cp_plan_id": "P1", "cppl_person_id": "D", "cppl_icpc_id": "I1",
         "cppl_cp_plan_start_date": "2023-01-16", "cppl_cp_plan_initial_category": "Neglect",
         "cppl_cp_plan_latest_category": "NEG"},
        {"cppl_cp_plan_id": "P2", "cppl_person_id": "E", "cppl_cp_plan_start_date": "2021-06-01",
         "cppl_cp_plan_end_date": "2022-06-01", "cppl_cp_plan_initial_category": "EMO",
         "cppl_cp_plan_latest_category": "EMO"},
        {"cppl_cp_plan_id": "P3", "cppl_person_id": "E", "cppl_icpc_id": "I3",
         "cppl_cp_plan_start_date": "2022-09-05", "cppl_cp_plan_initial_category": "PHY",
         "cppl_cp_plan_latest_category": "Multiple: Physical abuse, Neglect"},
    ],
    "ssd_cp_reviews": [
        {"cppr_cp_review_id": "RV1", "cppr_person_id": "E", "cppr_cp_plan_id": "P3",
         "cppr_cp_review_due": "2022-12-30", "cppr_cp_review_date": "2022-12-20",
         "cppr_cp_review_meeting_id": "MR1", "cppr_cp_review_outcome_continue_cp": "Y",
         "cppr_cp_review_quorate": "Y"},
        {"cppr_cp_review_id": "RV2", "cppr_person_id": "E", "cppr_cp_plan_id": "P3",
         "cppr_cp_review_due": "2023-06-20", "cppr_cp_review_date": "2023-03-20",
         "cppr_cp_review_meeting_id": "MR2", "cppr_cp_review_outcome_continue_cp": "Y",
         "cppr_cp_review_quorate": "Y"},
    ],
    "ssd_professionals": [
        {"prof_professional_id": "W1", "prof_staff_id": "S001", "prof_professional_name": "Iris Owen",
         "prof_professional_job_title": "Independent Reviewing Officer"},
        {"prof_professional_id": "W2", "prof_staff_id": "S002", "prof_professional_name": "Ravi Odu",
         "prof_professional_job_title": "Independent Reviewing Officer"},
        {"prof_professional_id": "W3", "prof_staff_id": "S003", "prof_professional_name": "Sam Weir",
         "prof_professional_job_title": "Social Worker"},
    ],
    "ssd_involvements": [
        {"invo_involvements_id": "V1", "invo_professional_id": "W1", "invo_professional_role_id": "IRO",
         "invo_person_id": "A", "invo_involvement_start_date": "2022-04-05"},
        {"invo_involvements_id": "V2", "invo_professional_id": "W2", "invo_professional_role_id": "iro",
         "invo_person_id": "A", "invo_involvement_start_date": "2023-03-01"},
        {"invo_involvements_id": "V3", "invo_professional_id": "W3", "invo_professional_role_id": "SW",
         "invo_person_id": "B", "invo_involvement_start_date": "2022-10-03"},
    ],
    "loc_lado_allegations": [
        {"lado_allegation_id": "L1", "lado_referral_date": "2023-01-31", "lado_threshold_met": "Y",
         "lado_referral_source": "SCH", "lado_employment_sector": "EDU", "lado_harm_category": "PHY",
         "lado_outcome": "UNS", "lado_outcome_date": "2023-02-28", "lado_subject_ref": "Teacher X"},
        {"lado_allegation_id": "L2", "lado_referral_date": "2022-05-10", "lado_threshold_met": "N",
         "lado_referral_source": "PAR", "lado_employment_sector": "SPT", "lado_harm_category": "EMO",
         "lado_outcome": "FAL", "lado_outcome_date": "2022-05-10"},
        {"lado_allegation_id": "L3", "lado_referral_date": "2022-06-01", "lado_threshold_met": "Y",
         "lado_referral_source": "POL", "lado_employment_sector": "FOS", "lado_harm_category": "SEX"},
        {"lado_allegation_id": "L4", "lado_referral_date": "2022-01-15", "lado_threshold_met": "Y",
         "lado_referral_source": "SCH", "lado_employment_sector": "EDU", "lado_harm_category": "PHY",
         "lado_outcome": "SUB", "lado_outcome_date": "2022-05-20"},
    ],
    "loc_iro_escalations": [
        {"esca_escalation_id": "X1", "esca_person_id": "A", "esca_professional_id": "W1",
         "esca_raised_date": "2022-07-01", "esca_stage": "TM", "esca_issue_category": "PLACE",
         "esca_resolved_date": "2022-08-01", "esca_resolution": "RES"},
        {"esca_escalation_id": "X2", "esca_person_id": "A", "esca_professional_id": "W1",
         "esca_raised_date": "2023-02-01", "esca_stage": "INF", "esca_issue_category": "CPLAN"},
    ],
    "loc_foster_carer_reviews": [
        {"fcar_review_id": "FR1", "fcar_household_id": "H1", "fcar_professional_id": "W3",
         "fcar_review_due_date": "2021-06-30", "fcar_review_date": "2021-06-01", "fcar_first_review": "Y"},
        {"fcar_review_id": "FR2", "fcar_household_id": "H1", "fcar_professional_id": "W3",
         "fcar_review_due_date": "2022-06-01", "fcar_review_date": "2022-06-10", "fcar_first_review": "N"},
        {"fcar_review_id": "FR3", "fcar_household_id": "H1", "fcar_professional_id": "W3",
         "fcar_review_due_date": "2023-06-10", "fcar_review_date": "2023-03-01", "fcar_first_review": "N"},
    ],
}


def _insert(conn: psycopg.Connection, table: str, rows: list[dict]) -> None:
    insert_raw(conn, COUNCIL, EXTRACT_DATE, table, rows)


@pytest.fixture(scope="module")
def built(warehouse_dsn, tmp_path_factory):
    """A new database on the session's test server, the council loaded, one `dbt build`."""
    with own_warehouse(warehouse_dsn, "facts") as dsn:
        with psycopg.connect(dsn) as conn:
            for table, rows in ROWS.items():
                _insert(conn, table, rows)
            present = {t.name: len(ROWS.get(t.name, [])) for t in TABLES if t.name not in ABSENT}
            record_snapshot(conn, COUNCIL, EXTRACT_DATE, WINDOW_START, present=present, la_name="Facts council")
        target = tmp_path_factory.mktemp("dbt-facts-target")
        started = time.monotonic()
        result = dbt_runner.build(dsn, target_path=target)
        print(f"\ndbt build took {time.monotonic() - started:.1f} s")
        yield dsn, result


def _pseudonym(dsn: str, id_: str) -> str:
    return query_rows(dsn, "select private.pseudonym(%s, %s)", (COUNCIL, id_))[0][0]


@pytest.fixture(scope="module")
def measures(built) -> dict[tuple[str, str, str, str], tuple]:
    """(measure_id, period_label, breakdown, breakdown_value) -> (value, numerator, denominator, published)."""
    dsn, _ = built
    rows = query_rows(dsn, """
        select measure_id, period_label, breakdown, breakdown_value, value, numerator, denominator,
            published_value
        from marts.performance_measures where la_code = %s
    """, (COUNCIL,))
    return {tuple(r[:4]): tuple(r[4:]) for r in rows}


def _total(measures, measure_id: str, period: str = YEAR) -> tuple:
    return measures[(measure_id, period, "total", "Total")]


# -- the build ---------------------------------------------------------------------------

def test_build_passes_with_unit_and_data_tests(built):
    _, result = built
    output = result.stdout
    assert "Completed successfully" in output
    assert int(re.search(r"(\d+) unit tests", output).group(1)) >= 20
    assert re.search(r"ERROR=0 ", output) and re.search(r"SKIP=0 ", output)


def test_every_measure_of_the_contract_is_published(measures):
    published = {m for m, *_ in measures}
    assert published == set(MEASURES_BY_ID)


# -- facts ---------------------------------------------------------------------------------

def test_cla_review_due_dates(built):
    dsn, _ = built
    rows = query_rows(dsn, """
        select r.review_date, r.is_held, r.due_rule, r.due_date, r.is_on_time, r.days_late,
            r.is_due_date_mismatch, r.participation
        from marts.fct_cla_reviews as r
        where r.la_code = %s and r.child_key = private.pseudonym(%s, 'A')
        order by r.review_date
    """, (COUNCIL, COUNCIL))
    assert rows == [
        # 20 working days after Mon 4 April 2022, over Easter and the early May bank holiday
        (date(2022, 5, 5), True, "first", date(2022, 5, 5), True, 0, False, "PN1"),
        (date(2022, 8, 10), True, "second", date(2022, 8, 5), False, 5, False, "PN7"),
        (date(2022, 12, 1), False, None, None, None, None, False, None),  # cancelled
        # 6 months after R2's actual date: the late review reset the clock
        (date(2023, 2, 10), True, "later", date(2023, 2, 10), True, 0, True, "PN6"),
    ]


def test_marts_hold_pseudonyms_not_case_system_ids(built):
    dsn, _ = built
    child_keys = {r[0] for r in query_rows(dsn, "select child_key from marts.dim_children where la_code = %s",
                                      (COUNCIL,))}
    assert _pseudonym(dsn, "A") in child_keys and "A" not in child_keys
    assert len(child_keys) == len(ROWS["ssd_person"])
    iros = query_rows(dsn, "select professional_key, is_iro, job_title from marts.dim_professionals"
                      " where la_code = %s order by job_title, is_iro", (COUNCIL,))
    assert sorted(k for k, is_iro, _ in iros if is_iro) == sorted([_pseudonym(dsn, "W1"), _pseudonym(dsn, "W2")])
    escalations = query_rows(dsn, "select distinct iro_key from marts.fct_iro_escalations where la_code = %s",
                        (COUNCIL,))
    assert escalations == [(_pseudonym(dsn, "W1"),)]


def test_cp_facts(built):
    dsn, _ = built
    plans = query_rows(dsn, """
        select plan_start_date, initial_category, latest_category, is_repeat, plan_number, duration_days,
            age_band_at_start
        from marts.fct_cp_plans where la_code = %s order by plan_start_date
    """, (COUNCIL,))
    assert plans == [
        (date(2021, 6, 1), "EMO", "EMO", False, 1, 365, "10 to 15"),
        (date(2022, 9, 5), "PHY", "MUL", True, 2, None, "10 to 15"),
        (date(2023, 1, 16), "NEG", "NEG", False, 1, None, "Unborn"),
    ]
    conferences = query_rows(dsn, """
        select conference_type, conference_date, is_transfer_in, working_days_from_s47, due_date,
            is_on_time
        from marts.fct_cp_conferences where la_code = %s order by conference_date
    """, (COUNCIL,))
    assert conferences == [
        # the state funeral (19 September 2022) is not a working day: due 29 September
        ("initial", date(2022, 9, 30), False, 16, date(2022, 9, 29), False),
        ("initial", date(2022, 11, 1), True, None, None, None),
        ("review", date(2022, 12, 20), False, None, date(2022, 12, 30), True),
        # over Christmas (26, 27 December) and New Year (2 January 2023)
        ("initial", date(2023, 1, 11), False, 15, date(2023, 1, 11), True),
        ("review", date(2023, 3, 20), False, None, date(2023, 6, 20), True),
    ]


def test_lado_facts(built):
    dsn, _ = built
    rows = query_rows(dsn, """
        select referral_date, days_to_outcome, months_to_outcome, is_concluded_within_1_month,
            is_concluded_within_3_months, is_concluded_within_12_months, is_open
        from marts.fct_lado_allegations where la_code = %s order by referral_date
    """, (COUNCIL,))
    assert rows == [
        (date(2022, 1, 15), 125, 4, False, False, True, False),
        (date(2022, 5, 10), 0, 0, True, True, True, False),  # concluded the same day
        (date(2022, 6, 1), None, None, None, None, None, True),
        (date(2023, 1, 31), 28, 1, True, True, True, False),  # 31 January + 1 month = 28 February
    ]


def test_looked_after_snapshot_marks_short_breaks(built):
    dsn, _ = built
    rows = query_rows(dsn, """
        select child_key = private.pseudonym(la_code, 'F'), is_short_break, legal_status,
            iro_key = private.pseudonym(la_code, 'W2'), placement_distance
        from marts.fct_cla_at_period_end
        where la_code = %s and period_label = %s
        order by 1, legal_status
    """, (COUNCIL, YEAR))
    assert rows == [
        (False, False, "C2", True, Decimal("25.0")),  # A: W2, the later of two IROs, is the IRO in force
        (False, False, "V2", None, Decimal("999.9")),  # B: no IRO
        (True, True, "V3", None, None),  # F on short breaks
    ]


def test_working_day_calendar(built):
    dsn, _ = built
    rows = query_rows(dsn, """
        select date, is_working_day, bank_holiday, financial_quarter_label
        from marts.dim_date where date in ('2022-06-02', '2022-06-03', '2022-09-19', '2022-04-18', '2022-06-06')
        order by date
    """)
    assert rows == [
        (date(2022, 4, 18), False, "Easter Monday", "2022-23 Q1"),
        (date(2022, 6, 2), False, "Spring Bank Holiday", "2022-23 Q1"),
        (date(2022, 6, 3), False, "Platinum Jubilee of Elizabeth II", "2022-23 Q1"),
        (date(2022, 6, 6), True, None, "2022-23 Q1"),
        (date(2022, 9, 19), False, "State Funeral of Queen Elizabeth II", "2022-23 Q2"),
    ]


# -- measures, by construction -----------------------------------------------------------------

def test_review_measures(measures):
    assert _total(measures, "cla_reviews_in_period")[0] == 3  # R3 was cancelled
    assert measures[("cla_reviews_in_period", YEAR, "participation", "PN7")][0] == 1
    assert measures[("cla_reviews_in_period", YEAR, "participation", "PN0")] == (0, None, None, "0")
    assert _total(measures, "cla_reviews_on_time_in_period")[:3] == (Decimal("66.7"), 2, 3)
    assert _total(measures, "cla_reviews_late_in_period")[0] == 1
    assert _total(measures, "cla_review_participation_rate")[:3] == (Decimal("66.7"), 2, 3)
    assert _total(measures, "cla_review_due_date_mismatch")[0] == 1
    # B's first review was due 31 October 2022 and never held; F is on short breaks
    assert _total(measures, "cla_reviews_overdue_at_period_end")[0] == 1
    assert _total(measures, "cla_reviews_overdue_at_period_end", "2022-23 Q3")[0] == 1
    # C was never reviewed either, until adopted in November
    assert _total(measures, "cla_reviews_overdue_at_period_end", "2022-23 Q2")[0] == 1
    # no review in 2021-22: a percentage of nothing is not applicable
    assert _total(measures, "cla_reviews_on_time_in_period", "2021-22") == (None, 0, 0, "z")


def test_looked_after_measures(measures):
    assert _total(measures, "cla_at_period_end")[0] == 2  # A and B; F is on short breaks
    assert _total(measures, "cla_short_breaks_at_period_end")[0] == 1
    assert measures[("cla_short_breaks_at_period_end", YEAR, "age_band", "10 to 15")][0] == 1
    assert _total(measures, "cla_started_in_period")[0] == 2  # A and B, not F
    assert _total(measures, "cla_ceased_in_period")[0] == 1  # C; A's X1 change is not an end
    assert measures[("cla_ceased_in_period", YEAR, "reason", "E11")][0] == 1
    assert _total(measures, "adoptions_in_period")[0] == 1
    assert measures[("adoptions_in_period", YEAR, "age_years", "3")][0] == 1
    assert measures[("adoptions_in_period", YEAR, "age_band", "1 to 4")][0] == 1
    assert _total(measures, "adm_decisions_in_period")[0] == 1
    assert _total(measures, "cla_placed_over_20_miles_at_period_end")[:3] == (100, 1, 1)  # B unknown
    assert _total(measures, "cla_care_plan_current_at_period_end")[:3] == (50, 1, 2)
    assert _total(measures, "cla_health_assessment_current_at_period_end")[:3] == (100, 2, 2)
    assert measures[("cla_health_assessment_current_at_period_end", YEAR, "age_band", "1 to 4")][:3] == (100, 1, 1)


def test_child_protection_measures(measures):
    assert _total(measures, "cp_plans_at_period_end")[0] == 2
    assert measures[("cp_plans_at_period_end", YEAR, "category", "MUL")][0] == 1
    assert measures[("cp_plans_at_period_end", YEAR, "age_band", "Unborn")][0] == 1
    assert _total(measures, "cp_families_at_period_end")[0] == 1  # D and E share a family
    assert _total(measures, "cp_plans_started_in_period")[0] == 2
    assert measures[("cp_plans_started_in_period", YEAR, "category", "PHY")][0] == 1
    assert _total(measures, "cp_plans_ended_in_period")[0] == 1
    assert _total(measures, "cp_plans_repeat_in_period")[:3] == (50, 1, 2)
    assert _total(measures, "icpc_in_period")[0] == 2  # the transfer-in is not counted
    assert _total(measures, "icpc_within_15_working_days_in_period")[:3] == (50, 1, 2)
    assert _total(measures, "rcpc_in_period")[0] == 2
    assert _total(measures, "rcpc_on_time_in_period")[:3] == (100, 2, 2)
    assert _total(measures, "cp_conferences_in_period")[0] == 4
    assert _total(measures, "cp_conferences_on_time_in_period")[:3] == (75, 3, 4)


def test_lado_and_iro_measures(measures):
    assert _total(measures, "lado_allegations_in_period")[0] == 3
    assert measures[("lado_allegations_in_period", YEAR, "threshold_met", "N")][0] == 1
    assert measures[("lado_allegations_in_period", YEAR, "referral_source", "OFS")] == (0, None, None, "0")
    # Concluded: allegations meeting the threshold only (L1, L4); the consultation L2 (N) is not.
    assert _total(measures, "lado_concluded_in_period")[0] == 2
    assert measures[("lado_concluded_in_period", YEAR, "outcome", "SUB")][0] == 1
    assert measures[("lado_concluded_in_period", YEAR, "outcome", "FAL")][0] == 0
    assert _total(measures, "lado_concluded_within_1_month_in_period")[:3] == (50, 1, 2)
    assert _total(measures, "lado_concluded_within_3_months_in_period")[:3] == (50, 1, 2)
    assert _total(measures, "lado_concluded_within_12_months_in_period")[:3] == (100, 2, 2)
    assert _total(measures, "lado_open_at_period_end")[0] == 1
    assert _total(measures, "foster_carer_reviews_in_period")[0] == 2
    assert _total(measures, "foster_carer_reviews_on_time_in_period")[:3] == (50, 1, 2)
    assert _total(measures, "iro_escalations_in_period")[0] == 2
    assert measures[("iro_escalations_in_period", YEAR, "stage", "TM")][0] == 1
    assert measures[("iro_escalations_resolved_in_period", YEAR, "resolution", "RES")][0] == 1
    # A has two IROs: one child in the total, one under each IRO
    assert _total(measures, "iro_caseload_at_period_end")[0] == 1
    iro_cells = {v: cell[0] for (m, p, b, v), cell in measures.items()
                 if m == "iro_caseload_at_period_end" and p == YEAR and b == "iro"}
    assert sorted(iro_cells.values()) == [1, 1] and all(len(v) == 24 for v in iro_cells)
    assert _total(measures, "cla_without_iro_at_period_end")[0] == 1  # B


def test_optional_tables_absent_are_unavailable(measures):
    for measure_id in ("cla_pep_current_at_period_end", "reg33_visits_in_period"):
        cells = [cell for key, cell in measures.items() if key[0] == measure_id]
        assert cells and all(cell == (None, None, None, "x") for cell in cells)
    # ssd_family was in the drop
    assert _total(measures, "cp_families_at_period_end")[3] == "c"


# -- invariants over every measure -------------------------------------------------------------

def test_breakdowns_add_up_to_the_total(measures):
    """Counts add up to the total; for percentages, numerators and denominators do (measures.md
    §1), except where the catalogue says not (iro_caseload_at_period_end counts children)."""
    additive = {m.measure_id for m in MEASURES_BY_ID.values() if m.breakdowns_sum_to_total}
    sums: dict[tuple, list[Decimal]] = {}
    for (measure_id, period, breakdown, _), (value, numerator, denominator, _) in measures.items():
        if breakdown == "total" or measure_id not in additive:
            continue
        cell = sums.setdefault((measure_id, period, breakdown), [Decimal(0), Decimal(0)])
        cell[0] += (numerator if denominator is not None else value) or 0
        cell[1] += denominator or 0
    assert len({m for m, *_ in sums}) >= 10
    for (measure_id, period, breakdown), (count, base) in sums.items():
        value, numerator, denominator, _ = measures[(measure_id, period, "total", "Total")]
        if value is None and denominator is None:  # unavailable
            continue
        assert count == (numerator if denominator is not None else value), (measure_id, period, breakdown)
        assert base == (denominator or 0), (measure_id, period, breakdown)


def test_percentages_are_numerator_over_denominator(measures):
    percentages = [(key, cell) for key, cell in measures.items() if cell[2] is not None]
    assert len(percentages) > 100
    for key, (value, numerator, denominator, published) in percentages:
        if denominator == 0:
            assert value is None and published == "z", key
        else:
            expected = (Decimal(100) * numerator / denominator).quantize(Decimal("0.1"), "ROUND_HALF_UP")
            assert value == expected, key
            assert published in ("c", str(expected)), key
