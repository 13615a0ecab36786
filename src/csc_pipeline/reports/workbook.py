"""The report as rows (its CSV) and as an XLSX workbook.

The workbook: a Summary sheet (the first page's headline figures), an About sheet (period,
status, source, markers), then one sheet per section holding one Excel Table per measure table
(so a spreadsheet user can filter, sort and refer to it by name), each with a chart of its
trend beside it. Charts read a `Chart data` sheet where every marker (`c`, `z`, `x`) is a blank
cell, so a suppressed figure is a gap in the chart, never a bar of 0.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

import openpyxl
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.table import Table, TableStyleInfo

from .tables import MARKER_NOTES, MARKERS, NO_FIGURE, NOT_YET_AVAILABLE, MeasureTable, Section, is_number

if TYPE_CHECKING:
    from .report import Report

CSV_FIXED_COLUMNS = ("section", "measure_id", "measure", "unit", "breakdown", "breakdown_value", "label")
HEADER_FILL = PatternFill("solid", fgColor="12436D")
TABLE_STYLE = TableStyleInfo(name="TableStyleLight9", showRowStripes=True)
CHART_COLUMN_GAP = 1  # empty columns between a table and its chart
CHART_ROWS = 12  # rows a chart spans; a short table is padded to it so charts never overlap


def long_date(d: date) -> str:
    return f"{d.day} {d:%B %Y}"


def header(report: Report) -> list[str]:
    return [*CSV_FIXED_COLUMNS, *(p.label for p in report.columns), "note"]


def measure_rows(report: Report, section: Section, table: MeasureTable) -> list[list[str]]:
    """One measure table as rows: cells hold `published_value` as published; "" where none."""
    blank = [""] * len(report.columns)
    head = [section.title, table.measure.measure_id, table.title, table.unit]
    if not table.available:
        return [[*head, "", "", "", *blank, NOT_YET_AVAILABLE]]
    rows = [[*head, row.breakdown, row.breakdown_value, row.label,
             *("" if v is None else v for v in row.values), table.note if row.is_total else ""]
            for row in table.rows]
    rows += [[*head, breakdown, "", "", *blank, NOT_YET_AVAILABLE] for breakdown in table.missing_breakdowns]
    return rows


def table_rows(report: Report) -> list[list[str]]:
    """The whole report as rows (the CSV): a header, then every table's rows."""
    return [header(report), *(r for s in report.sections for t in s.tables for r in measure_rows(report, s, t))]


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


def _excel_value(published: str | None) -> str | int | float | None:
    """A published number as a number (so spreadsheets can sum it); markers stay text."""
    if not is_number(published):
        return published or None
    return int(published) if published.lstrip("-").isdigit() else float(published)


def _style_header(cells) -> None:
    for cell in cells:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(horizontal="center", wrap_text=True)


def write_workbook(report: Report, path) -> None:
    book = openpyxl.Workbook()
    _summary_sheet(report, book.active)
    _about_sheet(report, book.create_sheet("About"))
    chart_data = None
    used: set[str] = {"Summary", "About", "Chart data"}
    for section in report.sections:
        sheet = book.create_sheet(_sheet_name(section.title, used))
        if chart_data is None:
            chart_data = book.create_sheet("Chart data")
        _section_sheet(report, section, sheet, chart_data)
    if chart_data is not None:
        book.move_sheet(chart_data, offset=len(book.sheetnames))  # last: it only feeds the charts
    book.save(path)


def _summary_sheet(report: Report, sheet) -> None:
    sheet.title = "Summary"
    sheet.append([f"{report.council.la_name}: {report.title}"])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([f"Summary of {report.period.label} ({report.status})"])
    sheet.append([])
    before = next((h.previous_label for h in report.summary if h.previous_label), None)
    head = ["Figure", report.period.label, *([before, "Change"] if before else []),
            *(["Target"] if report.has_targets else [])]
    sheet.append(head)
    first = sheet.max_row
    for h in report.summary:
        sheet.append([h.title, _excel_value(h.value),
                      *([_excel_value(h.previous), h.change_text] if before else []),
                      *([h.status] if report.has_targets else [])])
        if h.unit == "percent":
            for col in (2, 3) if before else (2,):
                sheet.cell(sheet.max_row, col).number_format = '0.0"%"'
    _style_header(sheet[first])
    sheet.add_table(_table("Summary", f"A{first}:{get_column_letter(len(head))}{sheet.max_row}"))
    sheet.append([])
    sheet.append(["A change is c when either figure is suppressed, since it could reveal the figure."])
    for letter, width in zip("ABCDE", (62, 12, 12, 18, 44)):
        sheet.column_dimensions[letter].width = width


def _about_sheet(report: Report, about) -> None:
    period = report.period
    for row in (
        [f"{report.council.la_name}: {report.title}"],
        [],
        ["Council", f"{report.council.la_name} ({report.council.la_code})"],
        ["Period", f"{period.label}: {long_date(period.start)} to {long_date(period.end)}"],
        ["Status", report.status],
        ["Source extract date", period.source_extract_date],
        ["Publication", report.publication.text],
        ["Generated", report.generated_at.replace(tzinfo=None, microsecond=0)],
        ["Columns", report.columns_text],
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


def _table(name: str, ref: str) -> Table:
    table = Table(displayName=name, ref=ref)
    table.tableStyleInfo = TABLE_STYLE
    return table


def _section_sheet(report: Report, section: Section, sheet, chart_data) -> None:
    head = header(report)
    period_cols = range(len(CSV_FIXED_COLUMNS), len(CSV_FIXED_COLUMNS) + len(report.columns))  # 0-based
    sheet.append([section.title])
    sheet["A1"].font = Font(bold=True, size=14)
    for table in section.tables:
        sheet.append([])
        sheet.append([table.title])
        sheet.cell(sheet.max_row, 1).font = Font(bold=True, size=12)
        sheet.append(head)
        first = sheet.max_row
        _style_header(sheet[first])
        for row in measure_rows(report, section, table):
            sheet.append([_excel_value(v) if i in period_cols else v for i, v in enumerate(row)])
            if table.unit == "percent":
                for i in period_cols:
                    sheet.cell(sheet.max_row, i + 1).number_format = '0.0"%"'
        last = sheet.max_row
        sheet.add_table(_table(f"t_{table.measure.measure_id}", f"A{first}:{get_column_letter(len(head))}{last}"))
        if table.measure.measure_id in report.trends:
            anchor = f"{get_column_letter(len(head) + 1 + CHART_COLUMN_GAP)}{first - 1}"
            sheet.add_chart(_trend_chart(report, table, chart_data), anchor)
            if sheet.max_row < first - 1 + CHART_ROWS:  # room for the chart before the next table
                sheet.cell(first - 1 + CHART_ROWS, 1, None)
    sheet.freeze_panes = "A2"
    for letter, width in zip("ABCDEFG", (24, 30, 48, 9, 16, 16, 36)):
        sheet.column_dimensions[letter].width = width
    for i in [*period_cols, period_cols[-1] + 1]:
        sheet.column_dimensions[get_column_letter(i + 1)].width = 13


def _trend_chart(report: Report, table: MeasureTable, chart_data):
    """A chart of the table's total over its periods, from a row of `chart_data` (markers blank)."""
    if chart_data.max_row == 1 and chart_data["A1"].value is None:
        chart_data.append(["measure", *(p.label for p in report.columns)])
        chart_data.append(["Blank where the published figure is c, z or x: a gap in the chart, never a zero."])
    chart_data.append([table.title, *(float(v) if is_number(v) else None for v in table.rows[0].values)])
    row = chart_data.max_row
    chart = LineChart() if table.unit == "percent" else BarChart()
    chart.title = table.title
    chart.legend = None
    chart.height, chart.width = 6.5, 12
    chart.y_axis.title = "%" if table.unit == "percent" else "number"
    chart.add_data(Reference(chart_data, min_col=2, max_col=1 + len(report.columns), min_row=row), from_rows=True)
    chart.set_categories(Reference(chart_data, min_col=2, max_col=1 + len(report.columns), min_row=1))
    return chart
