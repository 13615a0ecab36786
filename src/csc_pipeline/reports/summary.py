"""The report's first page: the headline figures, each beside the same period a year before, and,
where the deployment sets a target, whether it was met.

Every figure here is a published value or is worked out from published values alone: a change
involving a marker is that marker (`c` stays `c`, so nothing suppressed can be recovered by
subtraction), and a target is assessed only on a published number.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Mapping

from csc_pipeline.contract.measures import MEASURES_BY_ID, NOT_APPLICABLE, SUPPRESSED, TOTAL, UNAVAILABLE
from csc_pipeline.deployment import Target
from .figures import Period, PublishedFigures
from .tables import NO_FIGURE, display, is_number, measure_title

# The figures a scrutiny panel asks about first, in the order the report's sections take them.
HEADLINE_MEASURES: tuple[str, ...] = (
    "cla_at_period_end",
    "cla_started_in_period",
    "cla_ceased_in_period",
    "adoptions_in_period",
    "cla_reviews_on_time_in_period",
    "cla_review_participation_rate",
    "cp_plans_at_period_end",
    "icpc_within_15_working_days_in_period",
    "rcpc_on_time_in_period",
    "cp_plans_repeat_in_period",
    "lado_allegations_in_period",
    "lado_concluded_within_1_month_in_period",
    "foster_carer_reviews_on_time_in_period",
    "iro_escalations_in_period",
    "cla_without_iro_at_period_end",
)
assert all(m in MEASURES_BY_ID for m in HEADLINE_MEASURES)

# A change with a marker in it is the marker; the strongest one wins (suppressed over the rest).
_MARKER_ORDER = (SUPPRESSED, UNAVAILABLE, NOT_APPLICABLE)


@dataclass(frozen=True)
class Headline:
    measure_id: str
    section: str
    title: str
    unit: str  # count or percent
    value: str | None  # published value this period; None: no figure
    previous: str | None  # the same period a year before
    previous_label: str | None
    change: str | None  # "+12", "-1.5", a marker, or None when there is nothing to compare with
    status: str  # plain words against the target; "" when no target is set
    status_kind: str  # met / not-met / unknown / "" (no target)

    @property
    def shown(self) -> str:
        return display(self.value, self.unit)

    @property
    def change_text(self) -> str:
        """The change in words a reader can take at a glance."""
        if self.change is None:
            return "no figure a year before" if self.value is not None and self.previous is None else NO_FIGURE
        if self.change in _MARKER_ORDER:
            return self.change
        number = Decimal(self.change)
        points = " points" if self.unit == "percent" else ""
        if number == 0:
            return "no change"
        return f"{'up' if number > 0 else 'down'} {abs(number)}{points}"


def change(value: str | None, previous: str | None) -> str | None:
    """This period less the one before, from published values only; a marker when either is one."""
    if value is None or previous is None:
        return None
    for marker in _MARKER_ORDER:
        if marker in (value, previous):
            return marker
    if not (is_number(value) and is_number(previous)):
        return None
    difference = Decimal(value) - Decimal(previous)
    return f"{difference:+}"


def target_status(value: str | None, unit: str, target: Target | None) -> tuple[str, str]:
    """(plain words, kind) for a published value against its target; ("", "") without a target."""
    if target is None:
        return "", ""
    goal = display(_number_text(target.value), unit)
    side = "at or above" if target.better == "higher" else "at or below"
    if not is_number(value):
        why = {SUPPRESSED: "the figure is suppressed", NOT_APPLICABLE: "there were no cases",
               UNAVAILABLE: "the data was not supplied"}.get(value or "", "there is no figure")
        return f"Target {goal}: cannot be assessed ({why})", "unknown"
    number = Decimal(value)
    met = number >= Decimal(str(target.value)) if target.better == "higher" else number <= Decimal(str(target.value))
    if met:
        return f"Target {goal} met ({side} it)", "met"
    return f"Target {goal} not met", "not-met"


def _number_text(value: float) -> str:
    return f"{value:g}"


def build_summary(published: PublishedFigures, columns: list[Period],
                  targets: Mapping[str, Target] | None = None) -> list[Headline]:
    """The headline figures for the last of `columns`, each against the period a year before it
    (the previous year for the annual report; the same quarter last year for a quarterly pack)."""
    period = columns[-1]
    a_year_back = 1 if period.period_type == "financial_year" else 4
    before = columns[-1 - a_year_back] if len(columns) > a_year_back else None
    targets = targets or {}
    headlines = []
    for measure_id in HEADLINE_MEASURES:
        measure = MEASURES_BY_ID[measure_id]
        value = published.get((measure_id, "total", TOTAL, period.label))
        previous = published.get((measure_id, "total", TOTAL, before.label)) if before else None
        words, kind = target_status(value, measure.published_unit, targets.get(measure_id))
        headlines.append(Headline(
            measure_id, measure.section, measure_title(measure, period), measure.published_unit, value, previous,
            before.label if before else None, change(value, previous), words, kind))
    return headlines
