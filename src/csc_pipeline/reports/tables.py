"""The report's tables, built from the contract (measures.py) and the published figures.

One table per measure, in the contract's section and measure order; its rows are
the total then each breakdown's values, its columns the periods shown. The same
tables are written as HTML, CSV and XLSX, so they are built once, here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import groupby

from csc_pipeline.contract import CODE_SETS
from csc_pipeline.contract.dimensions import breakdown_value_label
from csc_pipeline.contract.measures import (
    AGE_BANDS, BREAKDOWNS, ETHNICITY_GROUPS, MEASURES, NOT_APPLICABLE, NOT_KNOWN, OTHER, SECTIONS, SUPPRESSED,
    TOTAL, UNAVAILABLE, UNBORN, Measure, dbt_var_defaults,
)
from .figures import Period, PublishedFigures

MARKERS = (SUPPRESSED, NOT_APPLICABLE, UNAVAILABLE)
NO_FIGURE = "–"  # no row for this period
NOT_YET_AVAILABLE = "not yet available"

_SETTINGS = dbt_var_defaults()
MARKER_NOTES: dict[str, str] = {
    SUPPRESSED: (
        "Suppressed to protect children's privacy: counts of "
        f"{_SETTINGS['suppression_min']}–{_SETTINGS['suppression_max']}, and any figure from which one "
        "could be worked out (including a percentage of such a count), are shown as c."
    ),
    NOT_APPLICABLE: "Not applicable: there were no cases to calculate a percentage from.",
    UNAVAILABLE: "Not available: the source table was not supplied in the council's extract.",
    NO_FIGURE: "No figure published for this period.",
}

# Breakdowns the report shows as a distribution rather than row by row: a list of IROs by
# pseudonym means nothing to a reader (caseloads.py draws their caseloads instead).
SHOWN_AS_DISTRIBUTION = frozenset({"iro"})
# How a breakdown is named in "By ...": its name in words unless said here.
_BREAKDOWN_NAMES = {"iro": "IRO (pseudonym)", "age_years": "age in years", "home": "children's home (URN)",
                    "threshold_met": "whether the harm threshold was met"}

@dataclass(frozen=True)
class TableRow:
    breakdown: str
    breakdown_value: str
    label: str  # description of the code, "" when the value says it all
    values: tuple[str | None, ...]  # published_value per column; None = no row for that period

    @property
    def is_total(self) -> bool:
        return self.breakdown == "total"

    @property
    def code_shown(self) -> bool:
        """Whether the code goes beside its label: not for `Other (a local …)`, which says it."""
        return bool(self.label) and not self.label.startswith(self.breakdown_value)


@dataclass(frozen=True)
class MeasureTable:
    measure: Measure
    title: str
    unit: str  # the published unit: count or percent
    rows: tuple[TableRow, ...]
    missing_breakdowns: tuple[str, ...]  # breakdowns of the contract with no rows yet
    note: str = ""

    @property
    def available(self) -> bool:
        return bool(self.rows)

    def groups(self) -> list[tuple[str, list[TableRow]]]:
        """The rows by breakdown, in table order."""
        return [(breakdown, list(rows)) for breakdown, rows in groupby(self.rows, key=lambda r: r.breakdown)]

    def markers(self) -> list[str]:
        """The markers used in this table, for its footnotes."""
        used = {v if v is not None else NO_FIGURE for row in self.rows for v in row.values}
        return [m for m in (*MARKERS, NO_FIGURE) if m in used]


@dataclass
class Section:
    title: str
    anchor: str
    tables: list[MeasureTable] = field(default_factory=list)


def build_sections(figures: PublishedFigures, columns: list[Period]) -> list[Section]:
    by_measure: dict[str, PublishedFigures] = {}
    for key, published in figures.items():
        by_measure.setdefault(key[0], {})[key] = published
    sections = {title: Section(title, f"section-{i}") for i, title in enumerate(SECTIONS, 1)}
    for measure in MEASURES:
        sections[measure.section].tables.append(build_table(measure, by_measure.get(measure.measure_id, {}), columns))
    return list(sections.values())


def build_table(measure: Measure, figures: PublishedFigures, columns: list[Period]) -> MeasureTable:
    """The measure's table: `figures` may hold other measures and periods; only its own are used."""
    labels = [p.label for p in columns]
    seen: dict[str, set[str]] = {}
    for measure_id, breakdown, value, period in figures:
        if measure_id == measure.measure_id and period in labels:
            seen.setdefault(breakdown, set()).add(value)
    # Breakdowns the contract names first, in its order; any other the mart has after them.
    breakdowns = [b for b in measure.breakdowns if b in seen] + sorted(b for b in seen if b not in measure.breakdowns)
    breakdowns = [b for b in breakdowns if b not in SHOWN_AS_DISTRIBUTION]
    rows = tuple(
        TableRow(b, v, value_label(b, v),
                 tuple(figures.get((measure.measure_id, b, v, p)) for p in labels))
        for b in breakdowns
        for v in sorted(seen[b], key=lambda value, b=b: value_sort_key(b, value))
    )
    missing = tuple(b for b in measure.breakdowns if b not in seen and b not in SHOWN_AS_DISTRIBUTION) if rows else ()
    note = ""
    if figures.get((measure.measure_id, "total", TOTAL, labels[-1])) == UNAVAILABLE and measure.optional_source_tables:
        note = "Not available: the council's extract did not include the records this figure is counted from."
    return MeasureTable(measure, measure_title(measure, columns[-1]), measure.published_unit, rows, missing, note)


def measure_title(measure: Measure, period: Period) -> str:
    """A heading: the measure's label and when it is measured ("Reviews held on time in the year")."""
    quarterly = period.period_type == "financial_quarter"
    if measure.measure_id.endswith("_at_period_end"):
        return f"{measure.label} {'at quarter end' if quarterly else 'at 31 March'}"
    if measure.measure_id.endswith("_in_period"):
        return f"{measure.label} {'in the quarter' if quarterly else 'in the year'}"
    return measure.label


def breakdown_name(breakdown: str) -> str:
    return _BREAKDOWN_NAMES.get(breakdown, breakdown.replace("_", " "))


def value_label(breakdown: str, value: str) -> str:
    """The description of a code ("C2" -> "Full care order"); "" when the value is its own label."""
    label = breakdown_value_label(breakdown, value)
    return "" if label == value else label


def _known_order(breakdown: str) -> list[str]:
    if breakdown == "age_band":
        return [b.label for b in AGE_BANDS] + [UNBORN, NOT_KNOWN]
    if breakdown == "ethnicity_group":
        return list(ETHNICITY_GROUPS)
    spec = BREAKDOWNS.get(breakdown)
    if spec is None or not spec.is_coded:
        return []
    codes = list(CODE_SETS[spec.code_set].codes) if spec.code_set else [v for v, _ in spec.value_labels]
    return [*codes, OTHER, NOT_KNOWN]


def value_sort_key(breakdown: str, value: str) -> tuple:
    """Bands and codes in their natural order, `Other` and `Not known` last, numbers as numbers."""
    order = _known_order(breakdown)
    if value in order:
        return (0, order.index(value), 0, "")
    if value in (OTHER, NOT_KNOWN):
        return (2, (OTHER, NOT_KNOWN).index(value), 0, "")
    if value.isdigit():
        return (1, 0, int(value), "")
    return (1, 1, 0, value)


def is_number(published: str | None) -> bool:
    return published is not None and re.fullmatch(r"-?\d+(\.\d+)?", published) is not None


def display(published: str | None, unit: str) -> str:
    """How a published value is shown: markers as they are, percentages with a % sign."""
    if published is None:
        return NO_FIGURE
    if unit == "percent" and is_number(published):
        return f"{published}%"
    return published
