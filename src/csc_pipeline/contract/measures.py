"""The output contract as data: every published measure (measures.md §3), the
breakdowns and bands they use, the reporting periods, and the configurable
timescales with their defaults (measures.md §2).

This is the one definition. The seed `dbt_project/seeds/measure_catalogue.csv`,
the age bands in `dbt_project/macros/_contract.sql` and the docs are rendered
from it (`csc contract render`); the defaults of the dbt vars in
`dbt_project/dbt_project.yml` must equal `dbt_var_defaults()` (a test checks).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from .tables import TABLES_BY_NAME

Unit = Literal["count", "percent", "count, percent"]
PeriodType = Literal["financial_year", "financial_quarter"]

# Values that are not codes or bands (measures.md §1).
TOTAL = "Total"
NOT_KNOWN = "Not known"
OTHER = "Other"
UNBORN = "Unborn"

# published_value markers (measures.md §1).
SUPPRESSED = "c"
NOT_APPLICABLE = "z"  # a percentage whose denominator is 0
UNAVAILABLE = "x"  # the measure's optional source table is absent from the drop


# -- sections ----------------------------------------------------------------

SECTIONS: tuple[str, ...] = (
    "Children looked after",
    "Care plans, health and education of children looked after",
    "Reviews of children looked after",
    "Child protection",
    "LADO",
    "The IRO service",
)


# -- age bands (measures.md §2) ----------------------------------------------

@dataclass(frozen=True)
class AgeBand:
    label: str
    min_years: int
    max_years: int | None  # inclusive; None = no upper bound


AGE_BANDS: tuple[AgeBand, ...] = (
    AgeBand("Under 1", 0, 0),
    AgeBand("1 to 4", 1, 4),
    AgeBand("5 to 9", 5, 9),
    AgeBand("10 to 15", 10, 15),
    AgeBand("16 and over", 16, None),
)


def age_band(age_years: int | None) -> str:
    """The band of an age in completed years; `Not known` without one."""
    if age_years is None:
        return NOT_KNOWN
    for band in AGE_BANDS:
        if age_years >= band.min_years and (band.max_years is None or age_years <= band.max_years):
            return band.label
    return NOT_KNOWN


# -- ethnicity groups (measures.md §2: configuration, these are the defaults) --

ETHNICITY_GROUPS: dict[str, tuple[str, ...]] = {
    "White": ("WBRI", "WIRI", "WIRT", "WROM", "WOTH"),
    "Mixed": ("MWBC", "MWBA", "MWAS", "MOTH"),
    "Asian": ("AIND", "APKN", "ABAN", "AOTH"),
    "Black": ("BCRB", "BAFR", "BOTH"),
    "Other": ("CHNE", "OOTH"),
    NOT_KNOWN: ("REFU", "NOBT"),  # and a missing or unmapped code
}


# -- breakdowns ----------------------------------------------------------------

@dataclass(frozen=True)
class Breakdown:
    """A breakdown a measure can be published by.

    `closed` breakdowns publish every value, 0 where there is none; open ones
    publish the values seen (measures.md §1). A breakdown's values are labelled in
    plain words (performance_measures.breakdown_value_label, the code dimension
    dim_<name>) by the descriptions of its `code_set` (codesets.py), or by its own
    `value_labels`; `extra_values` are the values it publishes beyond those codes
    (`Not known`, `Other`), with their labels. Values of other breakdowns (bands,
    ages, URNs, the IRO's pseudonym) are their own label.
    """

    name: str
    description: str
    closed: bool = True
    # The breakdown whose values this one's values fall within, where a measure has both
    # (measures.md §1: adoptions' single years within their age band, an additive set).
    within: str | None = None
    code_set: str | None = None
    value_labels: tuple[tuple[str, str], ...] = ()
    extra_values: tuple[tuple[str, str], ...] = ()

    @property
    def is_coded(self) -> bool:
        """Its values are codes with labels (a code dimension dim_<name> in the marts)."""
        return self.code_set is not None or bool(self.value_labels)


_NOT_KNOWN_VALUE = ((NOT_KNOWN, "Not known"),)

BREAKDOWNS: dict[str, Breakdown] = {b.name: b for b in (
    Breakdown("total", "The whole measure; breakdown_value `Total`."),
    Breakdown("age_band", "Age band on the reference date (Under 1 … 16 and over, Unborn, Not known)."),
    Breakdown("age_years", "Age in single completed years (`0`, `1`, …).", closed=False, within="age_band"),
    Breakdown("legal_status", "Legal status code in force on the date; `Other` for a local status, "
              "`Not known` for none.", code_set="legal_status",
              extra_values=((OTHER, "Other (a local legal status)"), *_NOT_KNOWN_VALUE)),
    Breakdown("ethnicity_group", "Ethnicity group (configuration `ethnicity_groups`), `Not known` "
              "for a missing or unmapped code."),
    Breakdown("sex", "Sex code (M, F, U), `Not known` when missing.", code_set="sex",
              extra_values=_NOT_KNOWN_VALUE),
    Breakdown("reason", "REC code of the last episode of the period of care.", closed=False,
              code_set="episode_ceased_reason", extra_values=_NOT_KNOWN_VALUE),
    Breakdown("participation", "Participation code of the review (PN0–PN7).", code_set="participation",
              extra_values=_NOT_KNOWN_VALUE),
    Breakdown("category", "Category of abuse of the plan (NEG PHY SAB EMO MUL).", code_set="cp_category",
              extra_values=_NOT_KNOWN_VALUE),
    Breakdown("home", "Ofsted URN of the children's home.", closed=False),
    Breakdown("referral_source", "Who referred the allegation (LADO code).", code_set="lado_referral_source",
              extra_values=_NOT_KNOWN_VALUE),
    Breakdown("employment_sector", "Employment sector of the person the allegation is about (LADO code).",
              code_set="lado_employment_sector", extra_values=_NOT_KNOWN_VALUE),
    Breakdown("harm_category", "Category of harm alleged (LADO code).", code_set="lado_harm_category",
              extra_values=_NOT_KNOWN_VALUE),
    Breakdown("threshold_met", "Y when the referral met the harm threshold, N for a consultation.",
              value_labels=(("Y", "Met the harm threshold"), ("N", "Consultation: threshold not met")),
              extra_values=_NOT_KNOWN_VALUE),
    Breakdown("outcome", "Outcome of the allegation (LADO code).", code_set="lado_outcome",
              extra_values=_NOT_KNOWN_VALUE),
    Breakdown("stage", "Highest stage the escalation reached.", code_set="escalation_stage",
              extra_values=_NOT_KNOWN_VALUE),
    Breakdown("issue_category", "What the escalation is about.", code_set="escalation_issue_category",
              extra_values=_NOT_KNOWN_VALUE),
    Breakdown("resolution", "How the escalation was resolved.", code_set="escalation_resolution",
              extra_values=_NOT_KNOWN_VALUE),
    Breakdown("iro", "A stable pseudonym of the IRO (private.pseudonym), never a name.", closed=False),
)}


# -- measures (measures.md §3) -------------------------------------------------

@dataclass(frozen=True)
class Measure:
    measure_id: str
    section: str
    unit: Unit
    breakdowns: tuple[str, ...]
    # What is counted, complete on its own (a reader of the catalogue has nothing else);
    # "period end" is the date the figures are measured at (as_at_date).
    definition: str
    source_tables: tuple[str, ...]
    # False where a measure says its breakdown does not add up to its total
    # (iro_caseload_at_period_end: the total counts children, not involvements).
    breakdowns_sum_to_total: bool = True
    label: str = ""  # its name in words, for headings and BI tools
    unit_label: str = ""  # what the value counts: `children`, or `% of reviews` for a percentage
    guidance: str = ""  # the regulation, statutory guidance or DfE return its rule follows

    @property
    def published_unit(self) -> Literal["count", "percent"]:
        """The `unit` column: a `count, percent` measure is published as a percentage row."""
        return "count" if self.unit == "count" else "percent"

    @property
    def nested_breakdowns(self) -> tuple[tuple[str, str], ...]:
        """(breakdown, the breakdown it falls within) pairs this measure publishes both of."""
        return tuple((b, BREAKDOWNS[b].within) for b in self.breakdowns
                     if BREAKDOWNS[b].within in self.breakdowns)

    @property
    def adds_up_over_quarters(self) -> bool:
        """An `_in_period` measure: its quarters add up to their financial year (measures.md §1)."""
        return self.measure_id.endswith("_in_period")

    @property
    def optional_source_tables(self) -> tuple[str, ...]:
        """Optional tables this measure needs: without one it is published as unavailable (`x`)."""
        return tuple(t for t in self.source_tables if not TABLES_BY_NAME[t].required)


_EPIS = ("ssd_cla_episodes", "ssd_legal_status")  # who is looked after on a date
_CLA, _CARE, _REV, _CP, _LADO, _IRO = SECTIONS

# Where the rules come from (cited by document; a regulation number only where it is the rule).
_SSDA903 = "DfE children looked after return (SSDA903)"
_CPPCR = "Care Planning, Placement and Case Review (England) Regulations 2010"
_REG33 = f"{_CPPCR}, reg 33: the first review within 20 working days of the child becoming looked after, " \
         "the second within 3 months of the first, later ones within 6 months of the previous"
_WT = "Working Together to Safeguard Children 2023"
_ICPC = f"{_WT}: an initial child protection conference within 15 working days of the strategy " \
        "discussion that started the s47 enquiry (Children Act 1989 s47)"
_RCPC = f"{_WT}: the first review conference within 3 months of the initial conference, later ones " \
        "at intervals of not more than 6 months"
_CP_PLANS = f"{_WT} (child protection plans); DfE children in need census (category of abuse)"
_LADO_GUIDANCE = f"{_WT} (the local authority designated officer, LADO); Keeping Children Safe in " \
                 "Education, Part four (allegations against people who work with children)"
_LADO_TIMESCALES = f"{_LADO_GUIDANCE}; timescales from its 2014–2016 editions: 80% of allegations " \
                   "resolved within one month, 90% within three months, all but the most exceptional " \
                   "within twelve months"
_IRO_APPOINTED = "Children Act 1989 s25A (an independent reviewing officer for every looked-after " \
                 "child); IRO Handbook (statutory guidance, 2010)"


def _lado_within(months: int, words: str) -> Measure:
    return Measure(
        f"lado_concluded_within_{months}_month{'s' if months != 1 else ''}_in_period", _LADO, "count, percent",
        ("total",),
        "Of the allegations referred to the LADO that met the harm threshold (lado_threshold_met Y) and "
        f"have an outcome dated in the period, the percentage whose outcome came within {words} of "
        "referral.",
        ("loc_lado_allegations",),
        label=f"LADO allegations concluded within {words}", unit_label="% of allegations",
        guidance=_LADO_TIMESCALES)


MEASURES: tuple[Measure, ...] = (
    # Children looked after
    Measure("cla_at_period_end", _CLA, "count",
            ("total", "age_band", "legal_status", "ethnicity_group", "sex"),
            "Children looked after at period end, children on short breaks (legal status V3 or V4) "
            "excluded; legal_status is the code in force on that date.",
            (*_EPIS, "ssd_person"),
            label="Children looked after", unit_label="children",
            guidance=f"Children Act 1989 s22(1) (who is looked after); {_SSDA903}"),
    Measure("cla_short_breaks_at_period_end", _CLA, "count", ("total", "age_band"),
            "Children looked after under an agreed series of short breaks (legal status V3 or V4) at "
            "period end.",
            (*_EPIS, "ssd_person"),
            label="Children on short breaks", unit_label="children",
            guidance=f"{_CPPCR}, reg 48 (short breaks); {_SSDA903}, legal statuses V3 and V4"),
    Measure("cla_started_in_period", _CLA, "count", ("total",),
            "Periods of care that started in the period (a period of care: the episodes sharing one "
            "clae_cla_id).",
            ("ssd_cla_episodes",),
            label="Periods of care started", unit_label="periods of care", guidance=_SSDA903),
    Measure("cla_ceased_in_period", _CLA, "count", ("total", "reason"),
            "Periods of care that ended in the period (an episode ending with reason X1, a new episode "
            "the same day, is not an end); reason is the reason episode ceased (REC) of the last "
            "episode.",
            ("ssd_cla_episodes",),
            label="Periods of care ended", unit_label="periods of care",
            guidance=f"{_SSDA903}, reason episode ceased (REC)"),
    Measure("cla_placed_over_20_miles_at_period_end", _CLA, "count, percent", ("total",),
            "Of children looked after at period end, the percentage whose current placement is more than "
            "20 miles from home (distance 999.9 or empty = unknown, and children with no placement in "
            "force: excluded from numerator and denominator).",
            (*_EPIS, "ssd_cla_placement"),
            label="Children placed more than 20 miles from home", unit_label="% of children",
            guidance=f"{_SSDA903}, placement distance from home"),
    Measure("adoptions_in_period", _CLA, "count", ("total", "age_band", "age_years"),
            "Children adopted in the period: episodes ceased with reason E11 or E12 (the ceased date is "
            "the adoption order's date); age on that date.",
            ("ssd_cla_episodes", "ssd_person"),
            label="Adoptions", unit_label="children adopted",
            guidance=f"Adoption and Children Act 2002 (adoption orders); {_SSDA903}, reasons E11 and E12"),
    Measure("adm_decisions_in_period", _CLA, "count", ("total",),
            "Decisions of the agency decision maker that a child should be placed for adoption "
            "(perm_adm_decision_date) made in the period.",
            ("ssd_permanence",),
            label="Decisions that a child should be placed for adoption", unit_label="decisions",
            guidance="Adoption Agencies Regulations 2005 (the agency decision maker's decision)"),
    # Care plans, health and education
    Measure("cla_care_plan_current_at_period_end", _CARE, "count, percent", ("total",),
            "Of children looked after at period end who had been looked after for at least 10 working "
            "days, the percentage with a care plan in force on that date.",
            (*_EPIS, "ssd_cla_care_plan"),
            label="Children looked after with a care plan", unit_label="% of children",
            guidance=f"{_CPPCR}, reg 4 (the care plan, prepared within 10 working days of the first "
                     "placement)"),
    Measure("cla_health_assessment_current_at_period_end", _CARE, "count, percent", ("total", "age_band"),
            "Of children looked after at period end who had been looked after for at least 20 working "
            "days, the percentage with a completed health assessment within the previous 6 months if "
            "under 5 at period end, 12 months otherwise.",
            (*_EPIS, "ssd_person", "ssd_cla_health"),
            label="Children looked after with a current health assessment", unit_label="% of children",
            guidance="Promoting the health and well-being of looked-after children (statutory guidance, "
                     "2015)"),
    Measure("cla_pep_current_at_period_end", _CARE, "count, percent", ("total",),
            "Of children aged 5 to 15 at period end who had been looked after for at least 20 working "
            "days, the percentage with a personal education plan within the previous 6 months.",
            (*_EPIS, "ssd_person", "loc_cla_pep"),
            label="Children looked after with a current personal education plan", unit_label="% of children",
            guidance="Promoting the education of looked-after children and previously looked-after "
                     "children (statutory guidance, 2018)"),
    Measure("reg33_visits_in_period", _CARE, "count", ("total", "home"),
            "Visits by an independent person to the council's children's homes made in the period; home "
            "is the home's Ofsted URN; 0 when the table is present but empty.",
            ("loc_reg33_visits",),
            label="Independent visits to children's homes", unit_label="visits",
            guidance="Children's Homes (England) Regulations 2015, reg 44 (monthly visits by an independent "
                     "person; reg 33 of the Children's Homes Regulations 2001 before April 2015)"),
    # Reviews of children looked after
    Measure("cla_reviews_in_period", _REV, "count", ("total", "participation"),
            "Reviews of children looked after held in the period (cancelled reviews are not held; "
            "reviews under short breaks are not counted).",
            ("ssd_cla_reviews",),
            label="Reviews of children looked after", unit_label="reviews", guidance=_REG33),
    Measure("cla_reviews_on_time_in_period", _REV, "count, percent", ("total",),
            "Of the reviews of children looked after held in the period that have a due date, the "
            "percentage held on or before it (due dates computed from the regulations' timescales).",
            ("ssd_cla_reviews", "ssd_cla_episodes"),
            label="Reviews held on time", unit_label="% of reviews", guidance=_REG33),
    Measure("cla_reviews_late_in_period", _REV, "count", ("total",),
            "Reviews of children looked after held in the period after their due date.",
            ("ssd_cla_reviews", "ssd_cla_episodes"),
            label="Reviews held late", unit_label="reviews", guidance=_REG33),
    Measure("cla_reviews_without_due_date_in_period", _REV, "count", ("total",),
            "Reviews of children looked after held in the period with neither a computed nor a recorded "
            "due date: neither on time nor late (added measure).",
            ("ssd_cla_reviews", "ssd_cla_episodes"),
            label="Reviews without a due date", unit_label="reviews", guidance=_REG33),
    Measure("cla_reviews_overdue_at_period_end", _REV, "count", ("total",),
            "Children looked after at period end whose next review was due before period end and "
            "has not been held.",
            ("ssd_cla_reviews", *_EPIS),
            label="Children with an overdue review", unit_label="children", guidance=_REG33),
    Measure("cla_review_participation_rate", _REV, "percent", ("total",),
            "Of the reviews held in the period coded PN1–PN7, the percentage coded PN1–PN6 (the child "
            "took part); PN0 (a child under 4) and uncoded reviews are excluded.",
            ("ssd_cla_reviews",),
            label="Children taking part in their reviews", unit_label="% of reviews",
            guidance=f"{_SSDA903}, participation codes PN0–PN7"),
    Measure("cla_review_due_date_mismatch", _REV, "count", ("total",),
            "Reviews held in the period whose due date recorded in the case system differs from the "
            "one computed from the regulations' timescales (a data-quality measure).",
            ("ssd_cla_reviews", "ssd_cla_episodes"),
            label="Reviews whose recorded due date differs from the computed one", unit_label="reviews",
            guidance=_REG33),
    # Child protection
    Measure("cp_plans_at_period_end", _CP, "count", ("total", "category", "age_band"),
            "Children subject to a child protection plan at period end; category is the plan's latest "
            "category of abuse.",
            ("ssd_cp_plans", "ssd_person"),
            label="Children subject to a child protection plan", unit_label="children", guidance=_CP_PLANS),
    Measure("cp_families_at_period_end", _CP, "count", ("total",),
            "Distinct families (ssd_family) of the children subject to a child protection plan at period "
            "end; children with no family row count as their own family.",
            ("ssd_cp_plans", "ssd_family"),
            label="Families of children subject to a child protection plan", unit_label="families",
            guidance=_CP_PLANS),
    Measure("cp_plans_started_in_period", _CP, "count", ("total", "category"),
            "Child protection plans that started in the period; category is the plan's initial category "
            "of abuse.",
            ("ssd_cp_plans",),
            label="Child protection plans started", unit_label="plans", guidance=_CP_PLANS),
    Measure("cp_plans_ended_in_period", _CP, "count", ("total",),
            "Child protection plans that ended in the period.",
            ("ssd_cp_plans",),
            label="Child protection plans ended", unit_label="plans", guidance=_CP_PLANS),
    Measure("cp_plans_repeat_in_period", _CP, "count, percent", ("total",),
            "Of the child protection plans that started in the period, the percentage for a child who "
            "had an earlier plan in the extract's window.",
            ("ssd_cp_plans",),
            label="Repeat child protection plans", unit_label="% of plans", guidance=_CP_PLANS),
    Measure("icpc_in_period", _CP, "count", ("total",),
            "Initial child protection conferences held in the period, counted per child (a conference "
            "about three siblings counts three), transfer-in conferences excluded.",
            ("ssd_initial_cp_conference",),
            label="Initial child protection conferences", unit_label="conferences (per child)",
            guidance=_ICPC),
    Measure("icpc_within_15_working_days_in_period", _CP, "count, percent", ("total",),
            "Of the initial child protection conferences held in the period (per child, transfer-ins "
            "excluded), the percentage held within 15 working days of the start of the s47 enquiry; a "
            "conference with no s47 start date counts as not within.",
            ("ssd_initial_cp_conference", "ssd_s47_enquiry"),
            label="Initial conferences within 15 working days", unit_label="% of conferences",
            guidance=_ICPC),
    Measure("rcpc_in_period", _CP, "count", ("total",),
            "Review child protection conferences held in the period, counted per child and plan.",
            ("ssd_cp_reviews",),
            label="Review child protection conferences", unit_label="conferences (per child)",
            guidance=_RCPC),
    Measure("rcpc_on_time_in_period", _CP, "count, percent", ("total",),
            "Of the review child protection conferences held in the period (per child and plan), the "
            "percentage held on time: the first within 3 months of the initial conference (the plan's "
            "start when it has none), later ones within 6 months of the previous review; for a plan that "
            "began before the window start, the first review in the window is due on its recorded due "
            "date; one without a determinable due date is outside the denominator.",
            ("ssd_cp_reviews", "ssd_initial_cp_conference", "ssd_cp_plans"),
            label="Review conferences on time", unit_label="% of conferences", guidance=_RCPC),
    Measure("cp_conferences_in_period", _CP, "count", ("total",),
            "Child protection conferences held in the period: initial conferences (per child, "
            "transfer-ins excluded) plus review conferences (per child and plan).",
            ("ssd_initial_cp_conference", "ssd_cp_reviews"),
            label="Child protection conferences", unit_label="conferences (per child)",
            guidance=f"{_ICPC}; {_RCPC}"),
    Measure("cp_conferences_on_time_in_period", _CP, "count, percent", ("total",),
            "Of the child protection conferences held in the period, the percentage on time: initial "
            "conferences within 15 working days of the s47 start (one with no s47 start date counts as "
            "not within) plus review conferences by their due date (one without a determinable due date "
            "is outside the denominator).",
            ("ssd_initial_cp_conference", "ssd_s47_enquiry", "ssd_cp_reviews", "ssd_cp_plans"),
            label="Child protection conferences on time", unit_label="% of conferences",
            guidance=f"{_ICPC}; {_RCPC}"),
    # LADO
    Measure("lado_allegations_in_period", _LADO, "count",
            ("total", "referral_source", "employment_sector", "harm_category", "threshold_met"),
            "Allegations against people who work with children referred to the LADO in the period, "
            "consultations that did not meet the harm threshold included.",
            ("loc_lado_allegations",),
            label="Allegations referred to the LADO", unit_label="allegations", guidance=_LADO_GUIDANCE),
    Measure("lado_concluded_in_period", _LADO, "count", ("total", "outcome"),
            "Allegations referred to the LADO that met the harm threshold (lado_threshold_met Y) with an "
            "outcome dated in the period; consultations that did not meet it appear only in "
            "lado_allegations_in_period.",
            ("loc_lado_allegations",),
            label="LADO allegations concluded", unit_label="allegations", guidance=_LADO_GUIDANCE),
    _lado_within(1, "one calendar month"),
    _lado_within(3, "three calendar months"),
    _lado_within(12, "twelve calendar months"),
    Measure("lado_open_at_period_end", _LADO, "count", ("total",),
            "Allegations referred to the LADO that met the harm threshold, referred on or before period "
            "end, with no outcome by then.",
            ("loc_lado_allegations",),
            label="LADO allegations open", unit_label="allegations", guidance=_LADO_GUIDANCE),
    # The IRO service
    Measure("foster_carer_reviews_in_period", _IRO, "count", ("total",),
            "Reviews of foster carers' approval held in the period.",
            ("loc_foster_carer_reviews",),
            label="Foster carer reviews", unit_label="reviews",
            guidance="Fostering Services (England) Regulations 2011, reg 28 (review of approval at "
                     "intervals of not more than a year)"),
    Measure("foster_carer_reviews_on_time_in_period", _IRO, "count, percent", ("total",),
            "Of the foster carer reviews held in the period that have a due date (12 months after the "
            "household's previous review held in the extract, else the recorded fcar_review_due_date), "
            "the percentage held on or before it; one without a determinable due date is outside the "
            "denominator.",
            ("loc_foster_carer_reviews",),
            label="Foster carer reviews on time", unit_label="% of reviews",
            guidance="Fostering Services (England) Regulations 2011, reg 28 (review of approval at "
                     "intervals of not more than a year)"),
    Measure("iro_escalations_in_period", _IRO, "count", ("total", "stage", "issue_category"),
            "Practice alerts and escalations raised by IROs in the period (one row per escalation; stage "
            "is the highest reached).",
            ("loc_iro_escalations",),
            label="IRO escalations raised", unit_label="escalations",
            guidance="Children Act 1989 s25B (the IRO's functions, including referring a case to Cafcass); "
                     "IRO Handbook (statutory guidance, 2010): resolving problems"),
    Measure("iro_escalations_resolved_in_period", _IRO, "count", ("total", "resolution"),
            "IRO practice alerts and escalations resolved in the period.",
            ("loc_iro_escalations",),
            label="IRO escalations resolved", unit_label="escalations",
            guidance="Children Act 1989 s25B (the IRO's functions, including referring a case to Cafcass); "
                     "IRO Handbook (statutory guidance, 2010): resolving problems"),
    Measure("iro_caseload_at_period_end", _IRO, "count", ("total", "iro"),
            "Children looked after at period end (short breaks excluded) with an open IRO involvement, "
            "per IRO (a stable pseudonym, never a name); the total counts children, not involvements.",
            (*_EPIS, "ssd_involvements"),
            breakdowns_sum_to_total=False,
            label="IRO caseloads", unit_label="children", guidance=_IRO_APPOINTED),
    Measure("cla_without_iro_at_period_end", _IRO, "count", ("total",),
            "Children looked after at period end (short breaks excluded) with no open IRO involvement.",
            (*_EPIS, "ssd_involvements"),
            label="Children looked after without an IRO", unit_label="children", guidance=_IRO_APPOINTED),
)

MEASURES_BY_ID: dict[str, Measure] = {m.measure_id: m for m in MEASURES}


# -- disclosure control: the linked measures (measures.md §1) ------------------

Part = Literal["value", "numerator", "denominator", "complement"]


@dataclass(frozen=True)
class Term:
    """Published cells of one authority and period: `part` of the measure's cells in
    `breakdown` with `values` (a count's value; a percentage's numerator, denominator or
    complement, denominator - numerator)."""

    measure_id: str
    part: Part = "value"
    breakdown: str = "total"
    values: tuple[str, ...] = (TOTAL,)


@dataclass(frozen=True)
class LinkedSet:
    """An additive set across measures: `total` is the sum of `members`, in every authority
    and period. Read by the disclosure control (int_measure_disclosure_sets, through the
    seed disclosure_linked_sets) with the breakdown and quarter sets it derives itself."""

    name: str
    total: Term
    members: tuple[Term, ...]
    source: str


def _pn(first: int, last: int) -> tuple[str, ...]:
    return tuple(f"PN{i}" for i in range(first, last + 1))


CLA_REVIEWS_WITHOUT_DUE_DATE = "cla_reviews_without_due_date_in_period"

LINKED_SETS: tuple[LinkedSet, ...] = (
    # measures.md §1, the linked measures
    LinkedSet("cla_reviews", Term("cla_reviews_in_period"),
              (Term("cla_reviews_on_time_in_period", "numerator"), Term("cla_reviews_late_in_period"),
               Term(CLA_REVIEWS_WITHOUT_DUE_DATE)),
              "measures.md §1: cla_reviews_in_period = on time + late + without a due date"),
    LinkedSet("cla_iro", Term("cla_at_period_end"),
              (Term("iro_caseload_at_period_end"), Term("cla_without_iro_at_period_end")),
              "measures.md §1: cla_at_period_end total = iro_caseload_at_period_end total + "
              "cla_without_iro_at_period_end"),
    LinkedSet("cp_conferences", Term("cp_conferences_in_period"),
              (Term("icpc_in_period"), Term("rcpc_in_period")),
              "measures.md §1: cp_conferences_in_period = icpc_in_period + rcpc_in_period"),
    LinkedSet("cp_conferences_on_time", Term("cp_conferences_on_time_in_period", "numerator"),
              (Term("icpc_within_15_working_days_in_period", "numerator"),
               Term("rcpc_on_time_in_period", "numerator")),
              "measures.md §1: cp_conferences_on_time = ICPCs within 15 working days + RCPCs on time"),
    # ... and what follows from it for the percentages' denominators and complements: a reader
    # combines sets, and the rule works out the intervals set by set
    *(LinkedSet(f"cp_conferences_on_time_{part}", Term("cp_conferences_on_time_in_period", part),
                (Term("icpc_within_15_working_days_in_period", part), Term("rcpc_on_time_in_period", part)),
                "measures.md §1 and §3: the conferences the three percentages are of add up as the "
                "on-time ones do")
      for part in ("denominator", "complement")),
    # measures.md §1, "a percentage is c when its numerator, its denominator or their difference
    # is (or can be worked out from) a c cell": what §3 says those are, in published cells
    LinkedSet("icpc_within_15_denominator", Term("icpc_in_period"),
              (Term("icpc_within_15_working_days_in_period", "denominator"),),
              "measures.md §3 icpc_within_15_working_days_in_period: of the initial conferences"),
    LinkedSet("cp_plans_repeat_denominator", Term("cp_plans_started_in_period"),
              (Term("cp_plans_repeat_in_period", "denominator"),),
              "measures.md §3 cp_plans_repeat_in_period: denominator cp_plans_started_in_period"),
    *(LinkedSet(f"lado_concluded_within_{n}_denominator", Term("lado_concluded_in_period"),
                (Term(f"lado_concluded_within_{n}_in_period", "denominator"),),
                "measures.md §3 lado_concluded_within_*: of those concluded")
      for n in ("1_month", "3_months", "12_months")),
    LinkedSet("cla_reviews_on_time_denominator", Term("cla_reviews_in_period"),
              (Term("cla_reviews_on_time_in_period", "denominator"), Term(CLA_REVIEWS_WITHOUT_DUE_DATE)),
              "measures.md §3 cla_reviews_on_time_in_period: denominator the reviews with a due date"),
    LinkedSet("cla_review_participation_numerator", Term("cla_review_participation_rate", "numerator"),
              (Term("cla_reviews_in_period", breakdown="participation", values=_pn(1, 6)),),
              "measures.md §3 cla_review_participation_rate: reviews coded PN1–PN6"),
    LinkedSet("cla_review_participation_denominator", Term("cla_review_participation_rate", "denominator"),
              (Term("cla_reviews_in_period", breakdown="participation", values=_pn(1, 7)),),
              "measures.md §3 cla_review_participation_rate: over those coded PN1–PN7"),
    LinkedSet("cla_review_participation_complement", Term("cla_review_participation_rate", "complement"),
              (Term("cla_reviews_in_period", breakdown="participation", values=("PN7",)),),
              "measures.md §3 cla_review_participation_rate: the two above, less one another"),
    LinkedSet("cla_review_participation_base", Term("cla_reviews_in_period"),
              (Term("cla_review_participation_rate", "denominator"),
               Term("cla_reviews_in_period", breakdown="participation", values=("PN0", NOT_KNOWN))),
              "measures.md §3 cla_review_participation_rate with the participation breakdown's total: "
              "the reviews outside the rate are PN0 and uncoded"),
    LinkedSet("cla_reviews_on_time_complement", Term("cla_reviews_on_time_in_period", "complement"),
              (Term("cla_reviews_late_in_period"),),
              "measures.md §3 cla_reviews_on_time_in_period: of the reviews with a due date, those not "
              "on time are late"),
)


# -- configuration: timescales and settings (measures.md §2–3) ---------------

@dataclass(frozen=True)
class Setting:
    """A dbt var: its default and where the default comes from."""

    name: str
    default: object
    description: str
    source: str


SETTINGS: tuple[Setting, ...] = (
    Setting("iro_role_codes", ["IRO"],
            "ssd_involvements.invo_professional_role_id values that mean an IRO allocation, for a council"
            " without its own list (deployment file `councils: <LA>: iro_role_codes:`).",
            "ssd_involvements.invo_professional_role_id (extract-tables.md); per-authority configuration, default IRO"),
    Setting("short_break_legal_statuses", ["V3", "V4"],
            "Legal statuses that are short breaks: not counted as looked after.",
            "Conventions: short breaks; DfE SSDA903 guidance (legal statuses V3 and V4)"),
    Setting("period_of_care_continues_reason", "X1",
            "Episode ceased reason that does not end the period of care.",
            "Conventions: period of care; SSDA903 REC code X1"),
    Setting("suppression_min", 1, "Smallest count suppressed (shown as `c`).",
            "Published values: counts 1–5 become c"),
    Setting("suppression_max", 5, "Largest count suppressed (shown as `c`).",
            "Published values: counts 1–5 become c"),
    Setting("ethnicity_groups", {k: list(v) for k, v in ETHNICITY_GROUPS.items()},
            "Ethnicity group of each DfE ethnicity code; unmapped or missing codes are Not known.",
            "Conventions: ethnicity groups (configuration)"),
    Setting("cla_review_first_working_days", 20,
            "First review of a period of care: within N working days of its start.",
            "Care Planning, Placement and Case Review (England) Regulations 2010, reg 33(1): "
            "the first review within 20 working days of the date the child becomes looked after"),
    Setting("cla_review_second_months", 3, "Second review: within N months of the first.",
            "Care Planning, Placement and Case Review (England) Regulations 2010, reg 33(2)(a): "
            "the second review not more than three months after the first"),
    Setting("cla_review_later_months", 6, "Later reviews: within N months of the previous.",
            "Care Planning, Placement and Case Review (England) Regulations 2010, reg 33(2)(b): "
            "subsequent reviews not more than six months after the previous one"),
    Setting("icpc_working_days", 15,
            "Initial conference within N working days of the strategy discussion (s47 start).",
            "Working Together to Safeguard Children (2018 and 2023 editions), initial child protection "
            "conferences: within 15 working days of the strategy discussion"),
    Setting("rcpc_first_months", 3, "First review conference within N months of the initial conference.",
            "Working Together to Safeguard Children, child protection review conferences: the first "
            "within three months of the initial conference"),
    Setting("rcpc_later_months", 6, "Later review conferences within N months of the previous.",
            "Working Together to Safeguard Children, child protection review conferences: further "
            "reviews at intervals of not more than six months"),
    Setting("cla_care_plan_min_working_days", 10,
            "Care plan measure: children looked after for at least N working days.",
            "cla_care_plan_current_at_period_end; Care Planning, Placement and Case "
            "Review (England) Regulations 2010, reg 4(2): a care plan within 10 working days of the "
            "start of the first placement"),
    Setting("cla_health_min_working_days", 20,
            "Health assessment measure: children looked after for at least N working days.",
            "cla_health_assessment_current_at_period_end; "
            "Promoting the health and well-being of looked-after children (statutory guidance, 2015): "
            "initial health assessment within 20 working days of entering care"),
    Setting("cla_pep_min_working_days", 20,
            "PEP measure: children looked after for at least N working days (a setting of its own, "
            "not shared with health assessments).",
            "cla_pep_current_at_period_end (20 working days, its own setting)"),
    Setting("health_assessment_type", "Health Assessment",
            "ssd_cla_health.clah_health_check_type of the statutory health assessment (any letter case).",
            "ssd_cla_health.clah_health_check_type (extract-tables.md)"),
    Setting("health_assessment_months_under_5", 6,
            "Health assessment current for a child under 5: within the previous N months.",
            "Promoting the health and well-being of looked-after children (statutory guidance)"),
    Setting("health_assessment_months_5_and_over", 12,
            "Health assessment current for a child aged 5 or over: within the previous N months.",
            "Promoting the health and well-being of looked-after children (statutory guidance)"),
    Setting("pep_months", 6, "PEP current: within the previous N months.",
            "cla_pep_current_at_period_end"),
    Setting("placement_distance_miles", 20, "Placement distance threshold in miles (more than N).",
            "cla_placed_over_20_miles_at_period_end"),
    Setting("placement_distance_unknown", 999.9, "Distance value that means unknown.",
            "ssd_cla_placement.clap_cla_placement_distance (extract-tables.md)"),
    Setting("adoption_ceased_reasons", ["E11", "E12"], "Episode ceased reasons that are adoptions.",
            "adoptions_in_period; SSDA903 REC"),
    Setting("lado_conclusion_months", [1, 3, 12],
            "LADO timeliness measures: outcome within N calendar months of referral.",
            "LADO measures; Keeping Children Safe in Education, Part four (2014–2016 editions; "
            "earlier Working Together to Safeguard Children 2010): 80% of allegations resolved within "
            "one month, 90% within three months, all but the most exceptional within twelve months"),
    Setting("foster_carer_review_months", 12,
            "Foster carer reviews: each due within N calendar months of the previous review held "
            "(the first in the data: on the case system's recorded due date).",
            "Fostering Services (England) Regulations 2011, reg 28(2): the approval of each foster "
            "parent is reviewed at intervals of not more than a year"),
    Setting("review_participated_codes", ["PN1", "PN2", "PN3", "PN4", "PN5", "PN6"],
            "Review participation codes that count as the child participating.",
            "cla_review_participation_rate (PN1–PN6 over PN1–PN7)"),
    Setting("review_participation_excluded_codes", ["PN0"],
            "Review participation codes outside the participation rate (children under 4).",
            "cla_review_participation_rate (PN0, under-4s, excluded)"),
)


def dbt_var_defaults() -> dict[str, object]:
    """The `vars:` of dbt_project.yml, as they must be by default."""
    return {s.name: s.default for s in SETTINGS}


# -- reporting periods (measures.md §1) ---------------------------------------

FINANCIAL_YEAR_START_MONTH = 4  # a financial year runs 1 April – 31 March
QUARTER_MONTHS = 3  # Q1 = Apr–Jun, Q2 = Jul–Sep, Q3 = Oct–Dec, Q4 = Jan–Mar
PERIOD_TYPES: tuple[PeriodType, ...] = ("financial_year", "financial_quarter")


@dataclass(frozen=True)
class ReportingPeriod:
    period_type: PeriodType
    period_label: str
    period_start: date
    period_end: date  # the last day (31 March for a year), also while running
    as_at_date: date  # measured at: period_end, or the day before the extract date while running
    is_complete: bool


def _add_months(d: date, months: int) -> date:
    index = d.year * 12 + d.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def financial_year_label(start_year: int) -> str:
    """`2013-14` for the year starting 1 April 2013."""
    return f"{start_year}-{(start_year + 1) % 100:02d}"


def reporting_periods(window_start: date, extract_date: date) -> list[ReportingPeriod]:
    """Every financial year and quarter from the first that starts on or after the
    window start to the last that starts before the extract date; a period still
    running is measured as at the day before the extract date (its as_at_date), while its
    period_end stays the calendar end."""
    out: list[ReportingPeriod] = []
    fy = window_start.year if window_start.month >= FINANCIAL_YEAR_START_MONTH else window_start.year - 1
    start = date(fy, FINANCIAL_YEAR_START_MONTH, 1)
    last_day = extract_date - timedelta(days=1)
    while start < extract_date:
        year_label = financial_year_label(start.year)
        year_end = _add_months(start, 12) - timedelta(days=1)
        if start >= window_start:
            out.append(ReportingPeriod("financial_year", year_label, start, year_end, min(year_end, last_day),
                                       year_end < extract_date))
        for q in range(4):
            q_start = _add_months(start, q * QUARTER_MONTHS)
            q_end = _add_months(q_start, QUARTER_MONTHS) - timedelta(days=1)
            if window_start <= q_start < extract_date:
                out.append(ReportingPeriod("financial_quarter", f"{year_label} Q{q + 1}", q_start, q_end,
                                           min(q_end, last_day), q_end < extract_date))
        start = _add_months(start, 12)
    return out


def _check() -> None:
    for m in MEASURES:
        assert m.section in SECTIONS, m.measure_id
        assert m.label and m.unit_label and m.guidance, m.measure_id
        assert m.unit_label.startswith("%") == (m.published_unit == "percent"), m.measure_id
        assert m.breakdowns[0] == "total", m.measure_id
        for b in m.breakdowns:
            assert b in BREAKDOWNS, (m.measure_id, b)
        for t in m.source_tables:
            assert t in TABLES_BY_NAME, (m.measure_id, t)
    assert len(MEASURES_BY_ID) == len(MEASURES)
    for linked in LINKED_SETS:
        for term in (linked.total, *linked.members):
            measure = MEASURES_BY_ID.get(term.measure_id)
            # A member measure may be missing while it is being added (the disclosure control
            # then finds no cells of it: 0 rows); the total never.
            assert measure is not None or term is not linked.total, (linked.name, term.measure_id)
            if measure is not None:
                assert term.breakdown in measure.breakdowns, (linked.name, term)
                assert (term.part == "value") == (measure.published_unit == "count"), (linked.name, term)


_check()
