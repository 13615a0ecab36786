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
from typing import Mapping
from zoneinfo import ZoneInfo

import psycopg

from csc_pipeline.contract.measures import MEASURES_BY_ID, TOTAL
from csc_pipeline.deployment import Target
from . import figures
from .caseloads import CASELOAD_BREAKDOWN, CASELOAD_MEASURE, distribution
from .charts import Chart, bar_chart, column_chart, line_chart
from .figures import Council, Period, PublishedFigures, ReportInputError
from .page import render_page
from .pdf import print_to_pdf
from .summary import Headline, build_summary
from .tables import Section, breakdown_name, build_sections, is_number, measure_title
from .workbook import long_date, table_rows, write_workbook

__all__ = ["ReportFiles", "ReportInputError", "render_annual_report", "render_quarterly_pack"]

LONDON = ZoneInfo("Europe/London")
PREVIOUS_PERIODS = 4  # periods shown beside the one reported
TREND_YEARS = 10  # years in the annual report's trend chart
TREND_MEASURE = "cla_at_period_end"  # totals by period: the trend chart; by age band: a bar chart
_BAR_CHARTS = ((TREND_MEASURE, "age_band"),)
TREND_POINTS_MIN = 3  # a table's own trend chart needs this many published numbers to say more than it
assert all(m in MEASURES_BY_ID for m in (TREND_MEASURE, CASELOAD_MEASURE))

SERVICE = "Independent Reviewing Officer (IRO) service"


@dataclass(frozen=True)
class ReportFiles:
    html: Path
    csv: Path
    xlsx: Path
    pdf: Path | None = None


@dataclass(frozen=True)
class Distribution:
    """IRO caseloads for the page: a sentence and a chart of IROs by caseload band."""

    text: str
    chart: Chart | None


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
    summary: list[Headline]  # the first page
    trends: dict[str, Chart]  # by measure id: the table's own trend
    distributions: dict[str, Distribution]  # by measure id
    has_targets: bool

    @property
    def period_word(self) -> str:
        return "year" if self.period.period_type == "financial_year" else "quarter"

    @property
    def status(self) -> str:
        if self.period.is_complete:
            return f"final: full {self.period_word}"
        return f"provisional: {self.period_word} to date"

    @property
    def columns_text(self) -> str:
        before = len(self.columns) - 1
        span = f"{self.columns[0].label} to {self.columns[-1].label}" if before else self.columns[-1].label
        others = f" and the {before} before it" if before else ""
        return f"Each table shows {span}: the {self.period_word} reported{others}."


def render_annual_report(conn: psycopg.Connection | str, la_code: str, financial_year: str,
                         out_dir: Path, *, targets: Mapping[str, Target] | None = None,
                         pdf: bool = False) -> ReportFiles:
    """The data section of the annual IRO report for one council and financial year ("2025-26").

    Each table shows the year and up to four years before it; the trend chart up to ten years.
    `targets` (the deployment's, by measure id) give the summary's statuses; `pdf` also prints it.
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
                     published, publication, targets)
    return write_report(report, Path(out_dir), f"{la_code}-iro-annual-report-{period.label}", pdf=pdf)


def render_quarterly_pack(conn: psycopg.Connection | str, la_code: str, period_label: str,
                          out_dir: Path, *, targets: Mapping[str, Target] | None = None,
                          pdf: bool = False) -> ReportFiles:
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
                     publication, targets)
    return write_report(report, Path(out_dir), f"{la_code}-quarterly-pack-{period.label.replace(' ', '-')}",
                        pdf=pdf)


def _report(title: str, council: Council, period: Period, columns: list[Period], trend: list[Period],
            published: PublishedFigures, publication: figures.Publication,
            targets: Mapping[str, Target] | None) -> Report:
    sections = build_sections(published, columns)
    charts = _charts(sections, period, columns, trend, published)
    return Report(title, council, period, columns, sections, charts, datetime.now(LONDON), publication,
                  build_summary(published, columns, targets), _trends(sections, columns),
                  _distributions(published, period), bool(targets))


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

    return charts


def _trends(sections: list[Section], columns: list[Period]) -> dict[str, Chart]:
    """Each table's total over its periods, where enough of them are published numbers."""
    trends = {}
    labels = [p.label for p in columns]
    provisional = frozenset(i for i, p in enumerate(columns) if not p.is_complete)
    for section in sections:
        for table in section.tables:
            if not (table.rows and table.rows[0].is_total):
                continue
            values = list(table.rows[0].values)
            if sum(is_number(v) for v in values) < TREND_POINTS_MIN:
                continue
            chart_id = f"trend-{table.measure.measure_id}".replace("_", "-")
            title = f"{table.title}, {labels[0]} to {labels[-1]}"
            if table.unit == "percent":
                trends[table.measure.measure_id] = line_chart(chart_id, title, labels, [(table.title, values)],
                                                              width=360, plot_h=140, legend=False)
            else:
                trends[table.measure.measure_id] = column_chart(chart_id, title, labels, values, table.unit,
                                                                provisional=provisional, width=360, height=210)
    return trends


def _distributions(published: PublishedFigures, period: Period) -> dict[str, Distribution]:
    caseloads = distribution([v for (m, b, _, p), v in published.items()
                              if m == CASELOAD_MEASURE and b == CASELOAD_BREAKDOWN and p == period.label])
    chart = None
    if caseloads.bands:
        chart = bar_chart("chart-iro-caseloads", f"IROs by caseload (children), {period.label}",
                          [band for band, _ in caseloads.bands], [str(n) for _, n in caseloads.bands], "count")
    return {CASELOAD_MEASURE: Distribution(caseloads.described, chart)}


# -- writers --------------------------------------------------------------------

def write_report(report: Report, out_dir: Path, stem: str, *, pdf: bool = False) -> ReportFiles:
    out_dir.mkdir(parents=True, exist_ok=True)
    files = ReportFiles(out_dir / f"{stem}.html", out_dir / f"{stem}.csv", out_dir / f"{stem}.xlsx",
                        out_dir / f"{stem}.pdf" if pdf else None)
    files.html.write_text(_html(report), encoding="utf-8")
    with files.csv.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(table_rows(report))
    write_workbook(report, files.xlsx)
    if files.pdf:
        print_to_pdf(files.html, files.pdf)
    return files




def _html(report: Report) -> str:
    period = report.period
    return render_page(
        service=SERVICE, title=report.title, council=report.council, period=period,
        period_text=f"{long_date(period.start)} to {long_date(period.end)}"
                    + ("" if period.is_complete else f" ({report.period_word} to date)"),
        status=report.status, columns=report.columns, columns_text=report.columns_text,
        sections=report.sections, charts=report.charts, long_date=long_date,
        generated_at=f"{long_date(report.generated_at.date())} at {report.generated_at:%H:%M} (UK time)",
        publication=report.publication.text, published_text=_published_text(report.publication),
        period_word=report.period_word, summary=report.summary, has_targets=report.has_targets,
        summary_before=next((h.previous_label for h in report.summary if h.previous_label), None),
        trends=report.trends, distributions=report.distributions,
    )


def _published_text(publication: figures.Publication) -> str:
    if publication.published_at is None:
        return ""
    at = publication.published_at.astimezone(LONDON)
    return f", published {long_date(at.date())} at {at:%H:%M}"
