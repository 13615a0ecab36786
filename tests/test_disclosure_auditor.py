"""The reader-auditor (disclosure_auditor.py) itself: it recovers what the old suppression let
through, and is not fooled into flagging cells a reader cannot pin down. Its runs over real
councils are in test_end_to_end.py and test_disclosure_small_council.py."""

from __future__ import annotations

from csc_pipeline.contract.measures import MEASURES_BY_ID
from disclosure_auditor import audit

LA = "E06999970"
YEAR = "2013-14"


def row(measure_id: str, published: str, breakdown: str = "total", value: str = "Total", *,
        period: str = YEAR, numerator: int | None = None, denominator: int | None = None) -> dict:
    return {"la_code": LA, "period_type": "financial_quarter" if " Q" in period else "financial_year",
            "period_label": period, "measure_id": measure_id, "breakdown": breakdown, "breakdown_value": value,
            "unit": MEASURES_BY_ID[measure_id].published_unit if measure_id in MEASURES_BY_ID else "count",
            "numerator": numerator, "denominator": denominator, "published_value": published}


def recovered(rows: list[dict]) -> dict[tuple, float]:
    result = audit(rows)
    assert result.inconsistent == []
    return {(f.cell.period_label, f.cell.measure_id, f.cell.breakdown_value, f.part): f.low for f in result.findings}


def test_recovers_two_cells_of_one_under_the_old_rule():
    # Issue 10: 40 children, C1 = 1, L1 = 1, C2 = 38, all others 0, published 40, c, c, 38, 0s.
    rows = [row("cla_at_period_end", "40")] + [
        row("cla_at_period_end", published, "legal_status", code)
        for code, published in {"C1": "c", "C2": "38", "D1": "0", "E1": "0", "L1": "c", "V2": "0"}.items()]
    assert recovered(rows) == {(YEAR, "cla_at_period_end", "C1", "value"): 1,
                               (YEAR, "cla_at_period_end", "L1", "value"): 1}


def test_two_suppressed_cells_that_can_be_1_to_5_are_not_flagged():
    rows = [row("cla_at_period_end", "14")] + [
        row("cla_at_period_end", published, "legal_status", code)
        for code, published in {"C1": "c", "C2": "8", "L1": "c"}.items()]
    assert recovered(rows) == {}


def test_recovers_a_quarter_from_its_year_and_the_other_three():
    rows = [row("cla_started_in_period", "23")] + [
        row("cla_started_in_period", published, period=f"{YEAR} Q{i}")
        for i, published in enumerate(["6", "7", "c", "8"], start=1)]
    assert recovered(rows) == {(f"{YEAR} Q3", "cla_started_in_period", "Total", "value"): 2}


def test_quarters_of_a_measure_that_is_not_in_period_do_not_add_up():
    # Children looked after at the end of each quarter do not add up to the year.
    rows = [row("cla_at_period_end", "23")] + [
        row("cla_at_period_end", published, period=f"{YEAR} Q{i}")
        for i, published in enumerate(["6", "7", "c", "8"], start=1)]
    assert recovered(rows) == {}


def test_recovers_late_reviews_from_held_on_time_and_without_a_due_date():
    rows = [row("cla_reviews_in_period", "30"),
            row("cla_reviews_on_time_in_period", "83.3", numerator=25, denominator=30),
            row("cla_reviews_late_in_period", "c"),
            row("cla_reviews_without_due_date_in_period", "0")]
    assert recovered(rows) == {(YEAR, "cla_reviews_late_in_period", "Total", "value"): 5}


def test_a_missing_linked_measure_leaves_the_reader_a_range():
    # Without cla_reviews_without_due_date_in_period in the mart, late is anything from 1 to 5.
    rows = [row("cla_reviews_in_period", "30"),
            row("cla_reviews_on_time_in_period", "c"),
            row("cla_reviews_late_in_period", "c")]
    assert recovered(rows) == {}


def test_recovers_a_percentage_from_the_linked_conferences():
    # On-time conferences 60 = ICPCs within 15 days + RCPCs on time 13: the ICPC percentage's
    # numerator is 47 of its 50 (icpc_in_period), and its complement 3.
    rows = [row("icpc_in_period", "50"), row("rcpc_in_period", "30"), row("cp_conferences_in_period", "80"),
            row("icpc_within_15_working_days_in_period", "c"),
            row("rcpc_on_time_in_period", "43.3", numerator=13, denominator=30),
            row("cp_conferences_on_time_in_period", "75.0", numerator=60, denominator=80)]
    assert recovered(rows) == {(YEAR, "icpc_within_15_working_days_in_period", "Total", "numerator"): 47,
                               (YEAR, "icpc_within_15_working_days_in_period", "Total", "complement"): 3}


def test_recovers_quarters_at_0_percent_from_a_year_at_0_percent():
    rows = [row("cp_plans_repeat_in_period", "0.0", numerator=0, denominator=14)] + [
        row("cp_plans_repeat_in_period", "c", period=f"{YEAR} Q{i}") for i in range(1, 5)]
    assert set(recovered(rows)) == {(f"{YEAR} Q{i}", "cp_plans_repeat_in_period", "Total", "numerator")
                                    for i in range(1, 5)}


def test_recovers_a_cell_only_a_combination_of_sets_gives_away():
    # Grid of a breakdown by quarters: no single set pins a cell, but Q2 + Q4 of the total (44)
    # less Q2 + Q4 of RES (41) leaves 3 for three suppressed cells of at least 1.
    values = {  # value: (year, Q1, Q2, Q3, Q4)
        "Total": ("77", "15", "c", "18", "c"),
        "ESC": ("c", "c", "0", "c", "c"),
        "RES": ("65", "11", "c", "13", "c"),
        "WDN": ("c", "c", "c", "c", "c"),
    }
    measure = "iro_escalations_resolved_in_period"
    rows = []
    for value, figures in values.items():
        breakdown = "total" if value == "Total" else "resolution"
        rows.append(row(measure, figures[0], breakdown, value))
        rows += [row(measure, f, breakdown, value, period=f"{YEAR} Q{i}") for i, f in enumerate(figures[1:], start=1)]
    got = recovered(rows)
    assert got == {(f"{YEAR} Q2", measure, "WDN", "value"): 1, (f"{YEAR} Q4", measure, "WDN", "value"): 1,
                   (f"{YEAR} Q4", measure, "ESC", "value"): 1}


def test_published_figures_that_do_not_add_up_are_reported():
    rows = [row("cla_at_period_end", "10"), row("cla_at_period_end", "3", "sex", "F"),
            row("cla_at_period_end", "4", "sex", "M")]
    assert audit(rows).inconsistent


def test_a_percentage_that_only_a_published_zero_gives_away_is_set_apart():
    # Participation: 3 reviews coded PN1–PN7, none PN7 (a true 0, published): the rate (c, base
    # 3) is 100%, as the zero says; measures.md never suppresses a 0.
    rate = "cla_review_participation_rate"
    rows = [row("cla_reviews_in_period", "c"), row(rate, "c")] + [
        row("cla_reviews_in_period", published, "participation", code)
        for code, published in {"PN0": "0", "PN1": "c", "PN2": "0", "PN3": "0", "PN4": "0", "PN5": "0",
                                "PN6": "0", "PN7": "0", "Not known": "0"}.items()]
    result = audit(rows)
    assert result.findings == []
    assert [(f.cell.measure_id, f.part, f.low) for f in result.given_away_by_zeros] == [(rate, "complement", 0)]
