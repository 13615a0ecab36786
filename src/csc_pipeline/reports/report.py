"""The annual IRO report (data section) and the quarterly performance pack for one council.

Each is written three ways from the same tables: one self-contained HTML page
(inline CSS and SVG charts, nothing fetched), a CSV and an XLSX workbook. The
figures are read with SQL from `marts.performance_measures`, `published_value`
only (figures.py), so a suppressed count can never reach a report.

    files = render_annual_report(dsn, "E06999999", "2025-26", Path("reports"))
    files = render_quarterly_pack(conn, "E06999999", "2025-26 Q2", Path("reports"))
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl
import psycopg
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from csc_pipeline.contract.measures import MEASURES_BY_ID, TOTAL
from . import figures
from .charts import Chart, bar_chart, column_chart, line_chart
from .figures import Council, Period, PublishedFigures, ReportInputError
from .page import render_page
from .tables import (
    MARKER_NOTES, MARKERS, NO_FIGURE, NOT_YET_AVAILABLE, Section, breakdown_name, build_sections,
    is_number, measure_title,
)

__all__ = ["ReportFiles", "ReportInputError", "render_annual_report", "render_quarterly_pack"]

LONDON = ZoneInfo("Europe/London")
PREVIOUS_PERIODS = 4  # periods shown beside the one reported
TREND_YEARS = 10  # years in the annual report's trend chart
TREND_MEASURE = "cla_at_period_end"  # totals by period: the trend chart; by age band: a bar chart
CASELOAD_MEASURE = "iro_caseload_at_period_end"  # by IRO: a bar chart
_BAR_CHARTS = ((TREND_MEASURE, "age_band"), (CASELOAD_MEASURE, "iro"))
assert all(m in MEASURES_BY_ID for m in (TREND_MEASURE, CASELOAD_MEASURE))

SERVICE = "Independent Reviewing Officer (IRO) service"
CSV_FIXED_COLUMNS = ("section", "measure_id", "measure", "unit", "breakdown", "breakdown_value", "label")


@dataclass(frozen=True)
class ReportFiles:
    html: Path
    csv: Path
    xlsx: Path


@dataclass(frozen=True)
class Report:
    """Everything the three writers need; built once."""

    title: str
    council: Council
    period: Period
    columns: list[Period]  # oldest first; the period reported is last
    sections: list[Section]
    charts: dict[str, list[Chart]]  # by section title
    generated_at: datetime
    publication: figures.Publication  # which switched-in marts every figure comes from

    @property
    def period_word(self) -> str:
        return "year" if self.period.period_type == "financial_year" else "quarter"


def render_annual_report(conn: psycopg.Connection | str, la_code: str, financial_year: str,
                         out_dir: Path) -> ReportFiles:
    """The data section of the annual IRO report for one council and financial year ("2025-26").

    Each table shows the year and up to four years before it; the trend chart up to ten years.
    Raises ReportInputError (listing what is available) for an unknown council or year.
    """
    with figures.connected(conn) as c:
        council = figures.council(c, la_code)
        years = figures.periods(c, la_code, "financial_year")
        period = figures.find_period(years, financial_year, la_code)
        up_to = [p for p in years if p.start <= period.start]
        trend = up_to[-TREND_YEARS:]
        published = figures.published_figures(c, la_code, trend)
        publication = figures.publication(c)
    columns = up_to[-(PREVIOUS_PERIODS + 1):]
    report = _report(f"Annual IRO report {period.label}: performance data", council, period, columns, trend,
                     published, publication)
    return write_report(report, Path(out_dir), f"{la_code}-iro-annual-report-{period.label}")


def render_quarterly_pack(conn: psycopg.Connection | str, la_code: str, period_label: str,
                          out_dir: Path) -> ReportFiles:
    """The quarterly performance pack for one council and quarter ("2025-26 Q2"), with the four
    quarters before it beside it. Raises ReportInputError for an unknown council or quarter."""
    with figures.connected(conn) as c:
        council = figures.council(c, la_code)
        quarters = figures.periods(c, la_code, "financial_quarter")
        period = figures.find_period(quarters, period_label, la_code)
        columns = [p for p in quarters if p.start <= period.start][-(PREVIOUS_PERIODS + 1):]
        published = figures.published_figures(c, la_code, columns)
        publication = figures.publication(c)
    report = _report(f"Quarterly performance pack {period.label}", council, period, columns, columns, published,
                     publication)
    return write_report(report, Path(out_dir), f"{la_code}-quarterly-pack-{period.label.replace(' ', '-')}")


def _report(title: str, council: Council, period: Period, columns: list[Period], trend: list[Period],
            published: PublishedFigures, publication: figures.Publication) -> Report:
    sections = build_sections(published, columns)
    charts = _charts(sections, period, columns, trend, published)
    return Report(title, council, period, columns, sections, charts, datetime.now(LONDON), publication)


# -- charts ---------------------------------------------------------------------

def _charts(sections: list[Section], period: Period, columns: list[Period], trend: list[Period],
            published: PublishedFigures) -> dict[str, list[Chart]]:
    charts: dict[str, list[Chart]] = {}
    tables = {t.measure.measure_id: t for s in sections for t in s.tables}

    measure = MEASURES_BY_ID[TREND_MEASURE]
    values = [published.get((TREND_MEASURE, "total", TOTAL, p.label)) for p in trend]
    if any(is_number(v) for v in values):
        charts.setdefault(measure.section, []).append(column_chart(
            "chart-cla-trend", f"{measure_title(measure, period)}, {trend[0].label} to {trend[-1].label}",
            [p.label for p in trend], values, measure.published_unit,
            provisional=frozenset(i for i, p in enumerate(trend) if not p.is_complete)))

    for measure_id, breakdown in _BAR_CHARTS:
        table = tables[measure_id]
        rows = [r for r in table.rows if r.breakdown == breakdown]
        if any(is_number(r.values[-1]) for r in rows):
            charts.setdefault(table.measure.section, []).append(bar_chart(
                f"chart-{measure_id}-{breakdown}".replace("_", "-"),
                f"{table.title}, by {breakdown_name(breakdown)}, {period.label}",
                [r.breakdown_value for r in rows], [r.values[-1] for r in rows], table.unit))

    for i, section in enumerate(sections, 1):
        series = [(t.title, list(t.rows[0].values)) for t in section.tables
                  if t.unit == "percent" and t.rows and t.rows[0].is_total
                  and any(is_number(v) for v in t.rows[0].values)]
        if series:
            charts.setdefault(section.title, []).append(line_chart(
                f"chart-percentages-{i}",
                f"{section.title}: percentages, {columns[0].label} to {columns[-1].label}",
                [p.label for p in columns], series))
    return charts


# -- writers --------------------------------------------------------------------

def write_report(report: Report, out_dir: Path, stem: str) -> ReportFiles:
    out_dir.mkdir(parents=True, exist_ok=True)
    files = ReportFiles(out_dir / f"{stem}.html", out_dir / f"{stem}.csv", out_dir / f"{stem}.xlsx")
    files.html.write_text(_html(report), encoding="utf-8")
    with files.csv.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(_table_rows(report))
    _xlsx(report, files.xlsx)
    return files


def long_date(d: date) -> str:
    return f"{d.day} {d:%B %Y}"


def _status(report: Report) -> str:
    if report.period.is_complete:
        return f"final: full {report.period_word}"
    return f"provisional: {report.period_word} to date"


def _columns_text(report: Report) -> str:
    before = len(report.columns) - 1
    span = f"{report.columns[0].label} to {report.columns[-1].label}" if before else report.columns[-1].label
    others = f" and the {before} before it" if before else ""
    return f"Each table shows {span}: the {report.period_word} reported{others}."


def _html(report: Report) -> str:
    period = report.period
    return render_page(
        service=SERVICE, title=report.title, council=report.council, period=period,
        period_text=f"{long_date(period.start)} to {long_date(period.end)}"
                    + ("" if period.is_complete else f" ({report.period_word} to date)"),
        status=_status(report), columns=report.columns, columns_text=_columns_text(report),
        sections=report.sections, charts=report.charts, long_date=long_date,
        generated_at=f"{long_date(report.generated_at.date())} at {report.generated_at:%H:%M} (UK time)",
        publication=report.publication.text,
    )


def _table_rows(report: Report, section: Section | None = None) -> list[list[str | None]]:
    """The tables as rows (CSV and each XLSX sheet): a header, then one row per table row.

    Cells hold `published_value` as published; "" where the period has no figure.
    """
    blank = [""] * len(report.columns)
    rows: list[list[str | None]] = [[*CSV_FIXED_COLUMNS, *(p.label for p in report.columns), "note"]]
    for s in [section] if section else report.sections:
        for table in s.tables:
            head = [s.title, table.measure.measure_id, table.title, table.unit]
            if not table.available:
                rows.append([*head, "", "", "", *blank, NOT_YET_AVAILABLE])
                continue
            for row in table.rows:
                note = table.note if row.is_total else ""
                rows.append([*head, row.breakdown, row.breakdown_value, row.label,
                             *("" if v is None else v for v in row.values), note])
            for breakdown in table.missing_breakdowns:
                rows.append([*head, breakdown, "", "", *blank, NOT_YET_AVAILABLE])
    return rows


def _sheet_name(title: str, used: set[str]) -> str:
    """Excel allows 31 characters and no []:*?/\\ in a sheet name."""
    name = "".join(ch for ch in title if ch not in "[]:*?/\\,")
    if len(name) > 31:
        name = name.replace("children looked after", "CLA")
    while len(name) > 31:
        name = name.rsplit(" ", 1)[0]
    base, n = name, 2
    while name in used:
        name = f"{base[:28]} {n}"
        n += 1
    used.add(name)
    return name


def _xlsx(report: Report, path: Path) -> None:
    book = openpyxl.Workbook()
    about = book.active
    about.title = "About"
    period = report.period
    for row in (
        [f"{report.council.la_name}: {report.title}"],
        [],
        ["Council", f"{report.council.la_name} ({report.council.la_code})"],
        ["Period", f"{period.label}: {long_date(period.start)} to {long_date(period.end)}"],
        ["Status", _status(report)],
        ["Source extract date", period.source_extract_date],
        ["Publication", report.publication.text],
        ["Generated", report.generated_at.replace(tzinfo=None, microsecond=0)],
        ["Columns", _columns_text(report)],
        ["Source", "marts.performance_measures, published_value"],
        [],
        ["Markers"],
        *([marker, MARKER_NOTES[marker]] for marker in MARKERS),
        ["(blank)", MARKER_NOTES[NO_FIGURE]],
    ):
        about.append(row)
    about["A1"].font = Font(bold=True, size=14)
    date_formats = {"Source extract date": "d mmmm yyyy", "Generated": "d mmmm yyyy hh:mm"}
    for label, value in about.iter_rows(min_row=2, max_col=2):
        label.font = Font(bold=True)
        value.number_format = date_formats.get(label.value, value.number_format)
    about.column_dimensions["A"].width = 22
    about.column_dimensions["B"].width = 110

    used: set[str] = {"About"}
    period_cols = range(len(CSV_FIXED_COLUMNS), len(CSV_FIXED_COLUMNS) + len(report.columns))  # 0-based
    for section in report.sections:
        sheet = book.create_sheet(_sheet_name(section.title, used))
        header, *rows = _table_rows(report, section)
        sheet.append(header)
        for row in rows:
            sheet.append([_excel_value(v) if i in period_cols else v for i, v in enumerate(row)])
            if row[CSV_FIXED_COLUMNS.index("unit")] == "percent":
                for i in period_cols:
                    sheet.cell(sheet.max_row, i + 1).number_format = '0.0"%"'
        for cell in sheet[1]:
            cell.font = Font(bold=True, color="FFFFFF")
            cell.fill = PatternFill("solid", fgColor="12436D")
            cell.alignment = Alignment(horizontal="center", wrap_text=True)
        sheet.freeze_panes = sheet.cell(2, period_cols[0] + 1)
        for letter, width in zip("ABCDEFG", (24, 30, 48, 9, 16, 16, 36)):
            sheet.column_dimensions[letter].width = width
        for i in [*period_cols, period_cols[-1] + 1]:
            sheet.column_dimensions[get_column_letter(i + 1)].width = 13
        sheet.auto_filter.ref = sheet.dimensions
    book.save(path)


def _excel_value(published: str | None) -> str | int | float | None:
    """A published number as a number (so spreadsheets can sum it); markers stay text."""
    if not is_number(published):
        return published or None
    return int(published) if published.lstrip("-").isdigit() else float(published)
