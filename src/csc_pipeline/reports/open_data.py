"""Open data in the DfE's Explore Education Statistics (EES) format, for `csc export ees`.

One data file per time type (EES does not mix financial years and quarters in a file), each with
its metadata file beside it (`<name>.meta.csv`). The shape (docs/open-data.md):

- one row per period × breakdown value of the council (the `total` row included);
- a filter column per breakdown of the contract (`age_band`, `legal_status`, ...): the row's value
  (its label from the code set, e.g. "Full care order") in its own breakdown's column, `Total` in
  every other, so the total row is `Total` throughout (EES's default filter item). EES's guidance
  prefers this to a characteristic/characteristic-group pair of columns;
- an indicator column per measure, named by its measure id, labelled in plain words, grouped by
  the contract's section; `%` for a percentage (1 decimal place), blank for a count;
- each cell the measure's `published_value`: a number, `c` (suppressed), `z` (not applicable: a
  percentage of nothing, or a measure not broken down this way) or `x` (not available: the
  optional table is absent, or no figure is published for that value).

Published values only, read through figures.py; only complete periods (a running year or quarter
would be a partial figure under a full period's name). The `iro` breakdown is left out: a stable
pseudonym per IRO with their caseload is workforce detail about one person, for the council's BI,
not for open data. Before anything is written, the files are checked against EES's rules
(ees_rules.py) and against the published figures; a file that fails is not written.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import psycopg

from csc_pipeline.contract.measures import (
    BREAKDOWNS, MEASURES, MEASURES_BY_ID, NOT_APPLICABLE, PERIOD_TYPES, TOTAL, UNAVAILABLE, Measure, PeriodType,
)
from csc_pipeline.deployment import ConfigError, Geography
from . import ees_rules, figures
from .ees_rules import Table, Violation
from .figures import MART, Council, Period, PublishedFigures, ReportInputError
from .tables import breakdown_name, measure_title, value_label, value_sort_key

# Breakdowns never exported (see the module docstring).
EXCLUDED_BREAKDOWNS = frozenset({"iro"})
TIME_IDENTIFIER = {"financial_year": "Financial year"}  # a quarter: "Financial year Q<n>"
GEOGRAPHY_COLUMNS = ("time_period", "time_identifier", "geographic_level", "country_code", "country_name",
                     "region_code", "region_name", "new_la_code", "la_name", "old_la_code")
ENGLAND = ("E92000001", "England")

# (breakdown, breakdown_value) -> the filter item shown for it
FilterItems = dict[tuple[str, str], str]


class OpenDataError(RuntimeError):
    """The files built break a rule of EES or show a figure that is not the published one."""


@dataclass(frozen=True)
class OpenDataFile:
    period_type: PeriodType
    periods: tuple[Period, ...]
    data: Table
    meta: Table


@dataclass(frozen=True)
class ExportedCell:
    """One indicator cell of a data file, read back as the mart's key."""

    row: int  # 1 = the first data row
    period_type: PeriodType
    period_label: str
    measure_id: str
    breakdown: str
    breakdown_value: str
    shown: str


def file_stem(la_code: str, period_type: PeriodType) -> str:
    return f"csc_measures_{la_code}_{period_type}"


def time_period(period_label: str) -> tuple[str, str]:
    """("2019-20 Q2") -> ("201920", "Financial year Q2"): EES's six-digit form of a financial year."""
    year, _, quarter = period_label.partition(" ")
    start, end = year.split("-")
    identifier = f"Financial year {quarter}" if quarter else TIME_IDENTIFIER["financial_year"]
    return f"{start}{end}", identifier


def period_label_of(period: str, identifier: str) -> str:
    """The inverse of time_period: ("201920", "Financial year Q2") -> "2019-20 Q2"."""
    label = f"{period[:4]}-{period[4:]}"
    quarter = identifier.removeprefix("Financial year").strip()
    return f"{label} {quarter}" if quarter else label


def year_start(financial_year: str) -> date:
    return date(int(financial_year[:4]), 4, 1)


# -- reading --------------------------------------------------------------------

def mart_labels(conn: psycopg.Connection, la_code: str) -> dict[tuple[str, str], str]:
    """The mart's own label of each breakdown value, where it has a `breakdown_value_label` column."""
    has_labels = conn.execute(
        "select 1 from information_schema.columns where table_schema = 'marts'"
        " and table_name = 'performance_measures' and column_name = 'breakdown_value_label'").fetchone()
    if not has_labels:
        return {}
    rows = conn.execute(f"select distinct breakdown, breakdown_value, breakdown_value_label from {MART}"
                        " where la_code = %s and breakdown_value_label is not null", (la_code,)).fetchall()
    return {(b, v): label for b, v, label in rows if label.strip()}


def filter_items(values: Iterable[tuple[str, str]], labels: Mapping[tuple[str, str], str]) -> FilterItems:
    """The filter item of each breakdown value: its label (the mart's, else the code set's), else the
    value itself; shortened to EES's limit; a label two values share gets the value in brackets."""
    items: FilterItems = {}
    for b, v in dict.fromkeys(values):
        items[b, v] = TOTAL if b == "total" else _shortened(labels.get((b, v)) or value_label(b, v) or v)
    counts: dict[tuple[str, str], int] = {}
    for (b, _v), item in items.items():
        counts[b, item] = counts.get((b, item), 0) + 1
    for (b, v), item in items.items():
        if counts[b, item] > 1 or (b != "total" and item == TOTAL):
            items[b, v] = _shortened(item, f" ({v})")
    return items


def _shortened(text: str, suffix: str = "") -> str:
    limit = ees_rules.MAX_FILTER_ITEM - len(suffix)
    if len(text) > limit:
        text = text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:") + "…"
    return text + suffix


def published_items(conn: psycopg.Connection, la_code: str) -> FilterItems:
    """The filter items of every breakdown value the council publishes (to read files back)."""
    values = conn.execute(f"select distinct breakdown, breakdown_value from {MART} where la_code = %s",
                          (la_code,)).fetchall()
    return filter_items(((b, v) for b, v in values), mart_labels(conn, la_code))


# -- building -------------------------------------------------------------------

def build_file(council: Council, geography: Geography, period_type: PeriodType, periods: list[Period],
               published: PublishedFigures, items: FilterItems) -> OpenDataFile:
    """One time type's data and metadata, from the published figures of `periods`."""
    order = {p.label: i for i, p in enumerate(periods)}
    breakdown_order = {b: i for i, b in enumerate(BREAKDOWNS)}
    cells = {k: v for k, v in published.items()
             if k[3] in order and k[0] in MEASURES_BY_ID and k[1] in BREAKDOWNS and k[1] not in EXCLUDED_BREAKDOWNS}
    keys = sorted({(p, b, v) for _m, b, v, p in cells},
                  key=lambda k: (order[k[0]], breakdown_order[k[1]], value_sort_key(k[1], k[2])))
    measures = [m for m in MEASURES if any(k[0] == m.measure_id for k in cells)]
    filters = [b for b in BREAKDOWNS if b != "total" and any(k[1] == b for k in keys)]
    broken_down = {(m, b) for m, b, _v, _p in cells}
    geography_row = {
        "geographic_level": ees_rules.LOCAL_AUTHORITY, "country_code": ENGLAND[0], "country_name": ENGLAND[1],
        "region_code": geography.region_code, "region_name": geography.region_name,
        "new_la_code": council.la_code, "la_name": council.la_name, "old_la_code": geography.old_la_code,
    }
    rows = []
    for label, b, v in keys:
        period, identifier = time_period(label)
        row = {"time_period": period, "time_identifier": identifier, **geography_row}
        row.update({f: items[b, v] if f == b else TOTAL for f in filters})
        for m in measures:
            shown = cells.get((m.measure_id, b, v, label))
            # No row: a measure not broken down this way is not applicable here; one that is, has no
            # figure published for this value (or period).
            row[m.measure_id] = shown if shown is not None else (
                UNAVAILABLE if (m.measure_id, b) in broken_down else NOT_APPLICABLE)
        rows.append(row)
    header = (*GEOGRAPHY_COLUMNS, *filters, *(m.measure_id for m in measures))
    stem = file_stem(council.la_code, period_type)
    return OpenDataFile(period_type, tuple(periods), Table(f"{stem}.csv", header, tuple(rows)),
                        _meta(f"{stem}.meta.csv", filters, measures, periods[-1]))


def _meta(name: str, filters: list[str], measures: list[Measure], period: Period) -> Table:
    blank = dict.fromkeys(ees_rules.REQUIRED_META_COLUMNS, "")
    rows = [{**blank, "col_name": b, "col_type": "Filter", "label": _capitalised(breakdown_name(b)),
             "filter_hint": BREAKDOWNS[b].description.replace("`", "")} for b in filters]
    rows += [{**blank, "col_name": m.measure_id, "col_type": "Indicator", "label": indicator_label(m, period),
              "indicator_grouping": m.section, "indicator_unit": "%" if m.published_unit == "percent" else "",
              "indicator_dp": "1" if m.published_unit == "percent" else "0"} for m in measures]
    return Table(name, ees_rules.REQUIRED_META_COLUMNS, tuple(rows))


def indicator_label(measure: Measure, period: Period) -> str:
    """The measure's name in words (the contract's `label`, else one from its id) and when it is
    measured: "Children looked after at 31 March", "Reviews held on time in the quarter"."""
    label = getattr(measure, "label", "")  # the contract's words, where it gives them
    if not label:
        return measure_title(measure, period)
    quarterly = period.period_type == "financial_quarter"
    if measure.measure_id.endswith("_at_period_end"):
        return f"{label} at {'quarter end' if quarterly else '31 March'}"
    if measure.adds_up_over_quarters:
        return f"{label} in the {'quarter' if quarterly else 'year'}"
    return label


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


# -- checking -------------------------------------------------------------------

def read_cells(data: Table, items: FilterItems) -> tuple[list[ExportedCell], list[Violation]]:
    """Every indicator cell of a data file as the mart's key; violations where a row is not one
    breakdown value (two filters other than Total) or a filter item is not one the council publishes."""
    by_item = {(b, item): v for (b, v), item in items.items()}
    filters = [c for c in data.header if c in BREAKDOWNS]
    measures = [c for c in data.header if c in MEASURES_BY_ID]
    cells, problems = [], []
    for n, row in enumerate(data.rows, start=1):
        chosen = [(f, row[f]) for f in filters if row[f] != TOTAL]
        if len(chosen) > 1:
            problems.append(Violation("one_breakdown_per_row", f"{data.name}: row {n} sets more than one filter"))
            continue
        breakdown, value = ("total", TOTAL) if not chosen else (chosen[0][0], by_item.get(chosen[0]))
        if value is None:
            problems.append(Violation("published_values_only", f"{data.name}: row {n}, {breakdown}: an item the "
                                                               "council does not publish"))
            continue
        label = period_label_of(row["time_period"], row["time_identifier"])
        period_type: PeriodType = "financial_quarter" if " Q" in label else "financial_year"
        cells += [ExportedCell(n, period_type, label, m, breakdown, value, row[m]) for m in measures]
    return cells, problems


def check_published_only(data: Table, published: PublishedFigures, items: FilterItems) -> list[Violation]:
    """Every cell shows the mart's published_value (z or x where the mart has no row): never a
    value it does not publish. The message names the cell, never the figure shown."""
    cells, problems = read_cells(data, items)
    for cell in cells:
        expected = published.get((cell.measure_id, cell.breakdown, cell.breakdown_value, cell.period_label))
        if expected is None and cell.shown in (NOT_APPLICABLE, UNAVAILABLE):
            continue
        if cell.shown != expected:
            problems.append(Violation(
                "published_values_only",
                f"{data.name}: row {cell.row}, {cell.measure_id} ({cell.period_label}, {cell.breakdown} "
                f"{cell.breakdown_value}) is not its published value"
                + (f" ({expected})" if expected in ees_rules.SYMBOLS else "")))
    return problems


# -- the export -----------------------------------------------------------------

def check_geography(la_code: str, geography: Geography) -> None:
    """The region's name as ONS (and EES) spell it; ConfigError naming the setting otherwise."""
    expected = ees_rules.ENGLISH_REGIONS.get(geography.region_code)
    if expected != geography.region_name:
        raise ConfigError(f"councils.{la_code}.region_name: {geography.region_code} is {expected!r} "
                          f"(ONS's name, which EES checks), not {geography.region_name!r}")


def build_export(conn_or_dsn: psycopg.Connection | str, la_code: str, geography: Geography,
                 first_year: str | None = None) -> list[OpenDataFile]:
    """The council's files (financial years, then quarters), checked; raises ReportInputError for an
    unknown council or no complete periods, OpenDataError when a file breaks a rule."""
    check_geography(la_code, geography)
    built = []
    with figures.connected(conn_or_dsn) as conn:
        council = figures.council(conn, la_code)
        items = published_items(conn, la_code)
        available: dict[PeriodType, list[str]] = {}
        for period_type in PERIOD_TYPES:
            periods = [p for p in figures.periods(conn, la_code, period_type) if p.is_complete]
            available[period_type] = [p.label for p in periods]
            periods = [p for p in periods if first_year is None or p.start >= year_start(first_year)]
            if periods:
                published = figures.published_figures(conn, la_code, periods)
                built.append((build_file(council, geography, period_type, periods, published, items), published))
    if not built:
        years, quarters = available["financial_year"], available["financial_quarter"]
        raise ReportInputError(
            f"No complete published periods for {la_code}" + (f" from {first_year}" if first_year else "")
            + f". Complete financial years: {', '.join(years) or 'none'}"
            + (f"; quarters {quarters[0]} to {quarters[-1]}." if quarters else "."))
    problems = []
    for file, published in built:
        problems += ees_rules.check_tables(file.data, file.meta) + check_published_only(file.data, published, items)
    if problems:
        raise OpenDataError("the files break EES's rules (nothing written):\n"
                            + "\n".join(f"  {p.rule}: {p.message}" for p in problems))
    return [file for file, _ in built]


def write_file(file: OpenDataFile, out_dir: Path) -> tuple[Path, Path]:
    """Write the data and metadata CSVs (each complete or not at all); returns their paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for table in (file.data, file.meta):
        path = out_dir / table.name
        partial = path.with_name(f".{path.name}.partial")
        with partial.open("w", newline="", encoding="utf-8") as f:
            writer = csv.DictWriter(f, fieldnames=table.header, lineterminator="\n")
            writer.writeheader()
            writer.writerows(table.rows)
        os.replace(partial, path)
        paths.append(path)
    return paths[0], paths[1]


def export_ees(conn_or_dsn: psycopg.Connection | str, la_code: str, geography: Geography, out_dir: Path,
               first_year: str | None = None) -> list[tuple[OpenDataFile, Path, Path]]:
    """Build, check and write the council's EES files into `out_dir`."""
    return [(file, *write_file(file, Path(out_dir))) for file in build_export(conn_or_dsn, la_code, geography,
                                                                              first_year)]
