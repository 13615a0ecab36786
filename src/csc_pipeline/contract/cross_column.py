"""The extract contract's rules that relate columns (extract-contract.md §2-§3): dates that are
ordered, tables that cannot predate a child's birth, future dates allowed, reviews held within
their period of care, and the spreadsheet renderings of a mangled identifier. validate/checks.py
turns each into a check; the generator and its tests obey the same lists."""

from __future__ import annotations

# (table, start column, end column): the end may not lie before the start.
DATE_ORDER: tuple[tuple[str, str, str], ...] = (
    ("ssd_person", "pers_dob", "pers_death_date"),
    ("ssd_legal_status", "lega_legal_status_start_date", "lega_legal_status_end_date"),
    ("ssd_cla_episodes", "clae_cla_episode_start_date", "clae_cla_episode_ceased_date"),
    ("ssd_cla_episodes", "clae_entered_care_date", "clae_cla_episode_start_date"),
    ("ssd_cla_placement", "clap_cla_placement_start_date", "clap_cla_placement_end_date"),
    ("ssd_cla_care_plan", "lacp_cla_care_plan_start_date", "lacp_cla_care_plan_end_date"),
    ("ssd_s47_enquiry", "s47e_s47_start_date", "s47e_s47_end_date"),
    ("ssd_cp_plans", "cppl_cp_plan_start_date", "cppl_cp_plan_end_date"),
    ("ssd_involvements", "invo_involvement_start_date", "invo_involvement_end_date"),
    ("loc_lado_allegations", "lado_referral_date", "lado_outcome_date"),
    ("loc_iro_escalations", "esca_raised_date", "esca_resolved_date"),
    ("loc_reg33_visits", "r33_visit_date", "r33_report_date"),
)

# Tables about a child in care: none of their dates can precede the child's birth (or,
# when pers_dob is NULL, the expected date of birth; nothing is checked when both are
# NULL). Child protection work (s47 enquiries, conferences, plans and their reviews,
# allocations) is left out: pre-birth conferences and plans are real.
BORN_TABLES: tuple[str, ...] = (
    "ssd_legal_status", "ssd_cla_episodes", "ssd_cla_placement", "ssd_cla_reviews", "ssd_cla_health",
    "ssd_cla_care_plan", "ssd_permanence", "loc_cla_pep",
)

# Dates that are not `happened` in the contract but must still not be in the future
# unless another column says so: a health check may be future-dated only when Planned.
FUTURE_ALLOWED_WHEN: dict[tuple[str, str], tuple[str, str]] = {
    ("ssd_cla_health", "clah_health_check_date"): ("clah_health_check_status", "Planned"),
}

# (table, date column, column naming the period of care): held within the period,
# from its first episode's start to its last episode's end (open periods: no end).
REVIEWS_IN_PERIOD: tuple[tuple[str, str, str], ...] = (
    ("ssd_cla_reviews", "clar_cla_review_date", "clar_cla_id"),
)

PERIOD_OF_CARE = ("ssd_cla_episodes", "clae_cla_id")
PERSON = ("ssd_person", "pers_person_id")

# (table, column): links the contract lets be empty and the measures group records by; a
# record with one empty stands alone (measures.md §2 "missing links never join"). Warned, counted.
MISSING_LINKS: tuple[tuple[str, str], ...] = (
    ("ssd_cla_reviews", "clar_cla_id"),
    ("ssd_cp_reviews", "cppr_cp_plan_id"),
    ("ssd_cp_plans", "cppl_person_id"),
    ("loc_foster_carer_reviews", "fcar_household_id"),
)

# (table, end column): a child's records that count at period end while open; nobody counts
# from their 18th birthday or date of death (measures.md §2), so one left open past either
# is warned about, counted.
OPEN_RECORDS: tuple[tuple[str, str], ...] = (
    ("ssd_cla_episodes", "clae_cla_episode_ceased_date"),
    ("ssd_cp_plans", "cppl_cp_plan_end_date"),
)
ADULT_AGE = 18

# Excel's renderings of a number-like identifier: 123.0, 1.23E+05, 1E+05.
MANGLED_ID_PATTERN = r"^\s*[0-9]+\.0+\s*$|^\s*[0-9](\.[0-9]+)?[eE]\+?[0-9]+\s*$"
