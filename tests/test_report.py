"""The annual IRO report, the quarterly pack and the publication history, on hand-made figures.

A fake council's rows go into `marts.performance_measures` (created with the
measures.md §1 columns when dbt has not built it in this session) and are
deleted afterwards. Only some measures get rows, as while the pipeline is
implementing them: the rest must show as "not yet available".
"""

from __future__ import annotations

import argparse
import base64
import csv
import re
import shutil
import struct
import subprocess
import tempfile
import zlib
from datetime import date
from decimal import Decimal
from html import unescape
from pathlib import Path

import openpyxl
import psycopg
import pytest

from csc_pipeline.contract.measures import (
    AGE_BANDS, ETHNICITY_GROUPS, MEASURES_BY_ID, NOT_APPLICABLE, NOT_KNOWN, OTHER, SUPPRESSED, TOTAL,
    UNAVAILABLE, reporting_periods,
)
from csc_pipeline.cli.reports import add_report_commands
from csc_pipeline.reports.figures import ReportInputError
from csc_pipeline.reports.history import changes
from csc_pipeline.transform.publication_history import record_publication as _record
from csc_pipeline.reports.report import render_annual_report, render_quarterly_pack
from csc_pipeline.contract.dimensions import breakdown_value_label
from csc_pipeline.reports.tables import value_label
from report_cells import ReportCells

LA_CODE = "E06000999"
LA_NAME = "Testshire Council (test)"
EXTRACT_DATE = date(2026, 11, 24)
PERIODS = reporting_periods(date(2021, 4, 1), EXTRACT_DATE)  # 2021-22 … 2026-27 (year to date)
YEAR = "2025-26"
# The distinctive suppressed cell: 4 children under 1 at 31 March 2026, published as c.
SUPPRESSED_CELL = ("cla_at_period_end", "age_band", "Under 1", YEAR)
NOT_PUBLISHED_YET = "cla_pep_current_at_period_end"  # no rows: the pipeline does not make it yet

ARTIFACTS = Path(__file__).parent / "artifacts"
CHROMIUM = Path("/usr/bin/chromium")

MART_DDL = """
create table if not exists marts.performance_measures (
    la_code text not null, la_name text, period_type text not null, period_label text not null,
    period_start date not null, period_end date not null, as_at_date date not null, is_complete boolean not null,
    measure_id text not null, breakdown text not null, breakdown_value text not null,
    value numeric(12, 1), numerator numeric(12, 0), denominator numeric(12, 0), unit text not null,
    published_value text not null, source_extract_date date not null, computed_at timestamptz not null,
    breakdown_value_label text not null,
    primary key (la_code, period_type, period_label, measure_id, breakdown, breakdown_value)
)
"""


def _figures() -> list[tuple]:
    """(period, measure_id, breakdown, breakdown_value, value, published_value) for the fake council."""
    rows = []
    for period in PERIODS:
        i = period.period_start.year - PERIODS[0].period_start.year  # a year's quarters share its figures
        def add(measure_id, breakdown, breakdown_value, value, published=None):
            if published is None:
                unit = MEASURES_BY_ID[measure_id].published_unit
                published = str(int(value)) if unit == "count" else f"{value:.1f}"
            rows.append((period, measure_id, breakdown, breakdown_value, value, published))

        suppress = period.period_label == YEAR
        bands = {"Under 1": 4 if suppress else 8, "1 to 4": 20, "5 to 9": 25, "10 to 15": 40 + i,
                 "16 and over": 30, "Unborn": 0, NOT_KNOWN: 0}
        total = sum(bands.values())
        add("cla_at_period_end", "total", TOTAL, total)
        for band, n in bands.items():
            # Under 1 is 1–5: c; 1 to 4 is secondarily suppressed so Under 1 cannot be worked out.
            published = SUPPRESSED if suppress and band in ("Under 1", "1 to 4") else None
            add("cla_at_period_end", "age_band", band, n, published)
        legal = {"C2": total - 40, "C1": 20, "E1": 12, "V2": 8, OTHER: 0, NOT_KNOWN: 0}
        for code, n in legal.items():
            add("cla_at_period_end", "legal_status", code, n)
        groups = dict(zip(ETHNICITY_GROUPS, (total - 43, 12, 10, 9, 6, 6)))
        for group, n in groups.items():
            add("cla_at_period_end", "ethnicity_group", group, n)
        add("cla_at_period_end", "sex", "M", total // 2 + 3)
        add("cla_at_period_end", "sex", "F", total - total // 2 - 3)

        add("cla_reviews_in_period", "total", TOTAL, 300 + i)
        for n, code in enumerate(("PN0", "PN1", "PN2", "PN3", "PN4", "PN5", "PN6", "PN7")):
            add("cla_reviews_in_period", "participation", code, 0 if n == 3 else 20 + n)
        add("cla_reviews_on_time_in_period", "total", TOTAL, 80.0 + i * 1.5)
        add("cla_review_participation_rate", "total", TOTAL, 88.4 + i * 0.5)

        add("cp_plans_at_period_end", "total", TOTAL, 90 + i)  # category only: age_band not yet made
        for code, n in zip(("NEG", "PHY", "SAB", "EMO", "MUL"), (40 + i, 12, 9, 23, 6)):
            add("cp_plans_at_period_end", "category", code, n)
        if period.period_label == "2022-23":
            add("icpc_within_15_working_days_in_period", "total", TOTAL, None, NOT_APPLICABLE)
        else:
            add("icpc_within_15_working_days_in_period", "total", TOTAL, 70.0 + i * 2)
        add("rcpc_on_time_in_period", "total", TOTAL, 92.5)

        add("adoptions_in_period", "total", TOTAL, 7)
        for band, n in zip((b.label for b in AGE_BANDS), (2, 5, 0, 0, 0)):
            add("adoptions_in_period", "age_band", band, n, SUPPRESSED if n else None)
        for age, n in (("0", 2), ("1", 3), ("3", 2)):
            add("adoptions_in_period", "age_years", age, n, SUPPRESSED)

        add("reg33_visits_in_period", "total", TOTAL, None, UNAVAILABLE)  # optional table not supplied
        add("lado_allegations_in_period", "total", TOTAL, 60 + i)
        for code, n in (("Y", 21), ("N", 39 + i)):
            add("lado_allegations_in_period", "threshold_met", code, n)
        add("lado_concluded_in_period", "total", TOTAL, 19)
        for code, n in (("SUB", 7), ("UNS", 6), ("UNF", 3), ("FAL", 0), ("MAL", 0)):
            add("lado_concluded_in_period", "outcome", code, n, SUPPRESSED if code == "UNF" else None)
        add("foster_carer_reviews_in_period", "total", TOTAL, 118)
        add("foster_carer_reviews_on_time_in_period", "total", TOTAL, 91.5 - i)
        add("iro_escalations_in_period", "total", TOTAL, 14)
        for code, n in (("INF", 8), ("AOC", 0), ("TM", 6), ("SM", 0), ("SD", 0), ("CAF", 0)):
            add("iro_escalations_in_period", "stage", code, n)
        add("iro_caseload_at_period_end", "total", TOTAL, total)
        for n, iro in enumerate(("3f9a1c07d2b84e6a9c1d0e57", "8be02d4a7c6f1e39b5a2c3d4", "c41d7e2f0a9b8c6d5e4f3a21")):
            add("iro_caseload_at_period_end", "iro", iro, 38 + 9 * n)
    return rows


@pytest.fixture()
def mart(warehouse_dsn):
    with psycopg.connect(warehouse_dsn) as conn:
        conn.execute(MART_DDL)
        conn.execute("delete from marts.performance_measures where la_code = %s", (LA_CODE,))
        with conn.cursor() as cur:
            cur.executemany(
                "insert into marts.performance_measures (la_code, la_name, period_type, period_label, period_start,"
                " period_end, as_at_date, is_complete, measure_id, breakdown, breakdown_value, value, unit,"
                " published_value, source_extract_date, computed_at, breakdown_value_label)"
                " values (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, now(), %s)",
                [(LA_CODE, LA_NAME, p.period_type, p.period_label, p.period_start, p.period_end, p.as_at_date,
                  p.is_complete,
                  m, b, v, value, MEASURES_BY_ID[m].published_unit, published, EXTRACT_DATE,
                  breakdown_value_label(b, v))
                 for p, m, b, v, value, published in _figures()],
            )
    yield warehouse_dsn
    with psycopg.connect(warehouse_dsn) as conn:
        conn.execute("delete from marts.performance_measures where la_code = %s", (LA_CODE,))
        conn.execute("delete from audit.published_figures where la_code = %s", (LA_CODE,))


def _published(dsn: str, period_type: str) -> dict[tuple[str, str, str, str], str]:
    with psycopg.connect(dsn) as conn:
        rows = conn.execute(
            "select measure_id, breakdown, breakdown_value, period_label, published_value"
            " from marts.performance_measures where la_code = %s and period_type = %s", (LA_CODE, period_type),
        ).fetchall()
    return {(m, b, v, p): published for m, b, v, p, published in rows}


@pytest.fixture()
def annual(mart, tmp_path):
    return render_annual_report(mart, LA_CODE, YEAR, tmp_path / "out")


def test_html_is_one_self_contained_page_with_charts(annual):
    html = annual.html.read_text(encoding="utf-8")
    assert sorted(p.name for p in annual.html.parent.iterdir()) == sorted(
        [annual.html.name, annual.csv.name, annual.xlsx.name])
    assert not re.search(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", html, re.I), "external reference"
    assert "<script" not in html.lower() and "<link" not in html.lower() and "@import" not in html
    assert html.count("<svg") >= 3 and 'id="chart-cla-trend"' in html
    trend = re.search(r'<svg[^>]*id="chart-cla-trend".*?</svg>', html, re.S).group(0)
    assert trend.count('class="bar"') == 5 and "2021-22" in trend and YEAR in trend  # one bar a year to 2025-26
    assert 'id="chart-iro-caseloads"' in html  # caseloads as a distribution, never by IRO
    assert 'id="trend-cla-reviews-on-time-in-period"' in html  # a trend table's own chart
    assert LA_NAME in html and "24 November 2026" in html and "Generated" in html


def test_suppressed_cell_shows_c_and_never_its_value(annual, mart):
    cells = ReportCells()
    cells.feed(annual.html.read_text(encoding="utf-8"))
    assert cells.cells[SUPPRESSED_CELL] == SUPPRESSED
    assert cells.cells[("cla_at_period_end", "age_band", "1 to 4", YEAR)] == SUPPRESSED
    assert cells.cells[("cla_at_period_end", "age_band", "Under 1", "2024-25")] == "8"
    page = unescape(annual.html.read_text(encoding="utf-8"))
    assert "Suppressed to protect children's privacy: counts of 1–5" in page
    # Every cell shown is the published value (with % for percentages): never `value`.
    published = _published(mart, "financial_year")
    assert len(cells.cells) > 100
    for key, text in cells.cells.items():
        expected = published.get(key)
        unit = MEASURES_BY_ID[key[0]].published_unit
        if expected is None:
            assert text == "–", key
        elif unit == "percent" and re.fullmatch(r"[\d.]+", expected):
            assert text == expected + "%", key
        else:
            assert text == expected, key
    assert cells.cells[("cla_reviews_on_time_in_period", "total", TOTAL, YEAR)] == "86.0%"
    assert cells.cells[("icpc_within_15_working_days_in_period", "total", TOTAL, "2022-23")] == NOT_APPLICABLE
    assert cells.cells[("reg33_visits_in_period", "total", TOTAL, YEAR)] == UNAVAILABLE


def test_measures_without_rows_show_not_yet_available(annual):
    html = annual.html.read_text(encoding="utf-8")
    line = re.search(rf'<p class="not-yet" data-measure="{NOT_PUBLISHED_YET}">([^<]*)</p>', html)
    assert line and "not yet available" in line.group(1).lower()
    assert "By age band: not yet available" in html  # cp_plans_at_period_end has only its category rows
    assert "extract did not include the records this figure is counted from" in html  # why reg33 visits are x


def test_csv_and_xlsx_hold_the_same_published_values(annual, mart):
    published = _published(mart, "financial_year")
    years = ["2021-22", "2022-23", "2023-24", "2024-25", YEAR]
    with annual.csv.open(newline="", encoding="utf-8") as f:
        csv_rows = list(csv.DictReader(f))
    assert [c for c in csv_rows[0] if re.fullmatch(r"\d{4}-\d{2}", c)] == years
    seen = 0
    for row in csv_rows:
        if row["note"] == "not yet available":
            continue
        for year in years:
            key = (row["measure_id"], row["breakdown"], row["breakdown_value"], year)
            assert row[year] == (published.get(key) or ""), key
            seen += 1
    assert seen > 100
    suppressed = next(r for r in csv_rows if (r["measure_id"], r["breakdown"], r["breakdown_value"])
                      == SUPPRESSED_CELL[:3])
    assert suppressed[YEAR] == SUPPRESSED
    assert any(r["measure_id"] == NOT_PUBLISHED_YET and r["note"] == "not yet available" for r in csv_rows)

    book = openpyxl.load_workbook(annual.xlsx)
    assert book.sheetnames[:2] == ["Summary", "About"] and book.sheetnames[-1] == "Chart data"
    assert len(book.sheetnames) == 9  # and one sheet per section
    xlsx_rows, names = [], []
    for sheet in book.worksheets[2:-1]:
        for name, ref in sheet.tables.items():  # one Excel Table per measure table, in order
            header, *rows = ([c.value for c in row] for row in sheet[ref])
            xlsx_rows += [dict(zip(header, r)) for r in rows]
            names.append(name)
    assert names == [f"t_{m}" for m in dict.fromkeys(r["measure_id"] for r in csv_rows)]
    assert len(xlsx_rows) == len(csv_rows)
    for from_csv, from_xlsx in zip(csv_rows, xlsx_rows):
        for year in years:
            cell = from_xlsx[year]
            text = from_csv[year]
            if isinstance(cell, (int, float)):
                assert Decimal(str(cell)) == Decimal(text), (from_csv["measure_id"], year)
            else:
                assert (cell or "") == text, (from_csv["measure_id"], year)
    about = {r[0]: r[1] for r in book["About"].iter_rows(values_only=True) if r and r[0]}
    assert about["Council"] == f"{LA_NAME} ({LA_CODE})" and about["Status"] == "final: full year"
    assert len(book["Summary"].tables) == 1


def test_xlsx_charts_each_trend_with_markers_as_gaps(annual):
    book = openpyxl.load_workbook(annual.xlsx)
    charts = {sheet.title: len(sheet._charts) for sheet in book.worksheets}
    assert charts["Children looked after"] >= 1 and sum(charts.values()) >= 5
    data = {r[0]: r[1:] for r in book["Chart data"].iter_rows(values_only=True) if r and r[0]}
    # icpc 2022-23 is z (no conferences): a gap in its chart, never a 0
    icpc = next(v for k, v in data.items() if k.startswith("Initial conferences within 15 working days"))
    assert icpc[1] is None and all(isinstance(x, (int, float)) for i, x in enumerate(icpc[:5]) if i != 1)


def test_labels_and_codes_never_run_together(annual):
    text = _visible_text(annual.html.read_text(encoding="utf-8"))
    assert "Full care order (C2)" in text and "C2Full" not in text
    coded = {(b, v, value_label(b, v)) for _p, _m, b, v, _x, _y in _figures() if value_label(b, v)}
    assert len(coded) > 10
    for breakdown, code, label in coded:
        assert (label if label.startswith(code) else f"{label} ({code})") in text, (breakdown, code)
        assert f"{code}{label}" not in text and f"{label}{code}" not in text, (breakdown, code)


def _visible_text(html: str) -> str:
    """The page's text with tags as spaces between blocks, as a reader or a copy-paste sees it."""
    html = re.sub(r"<(style|svg)\b.*?</\1>", " ", html, flags=re.S)
    html = re.sub(r"</(th|td|p|li|h\d|dt|dd|div|span|tr|figcaption)>", " ", html)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", "", html)))


def _reader_text(html: str) -> str:
    """What a councillor reads: the page before its technical appendix."""
    return _visible_text(html.split('id="appendix"')[0])


def test_reader_text_has_no_internal_names_and_no_pseudonyms(annual):
    html = annual.html.read_text(encoding="utf-8")
    reader = _reader_text(html)
    for measure_id in MEASURES_BY_ID:
        assert measure_id not in reader
    assert not re.search(r"\b(ssd|stg|fct|dim|int)_[a-z]", reader) and "published_value" not in reader
    pseudonyms = [v for *_k, b, v, _v, _p in [(None, f[2], f[3], f[4], f[5]) for f in _figures()] if b == "iro"]
    assert pseudonyms
    for files_text in (html, annual.csv.read_text(encoding="utf-8")):
        assert not any(p in files_text for p in pseudonyms), "an IRO pseudonym in the report"
    # the appendix names each measure and its definition, for analysts
    appendix = _visible_text(html.split('id="appendix"')[1])
    assert all(m in appendix for m in MEASURES_BY_ID) and "marts.performance_measures" in appendix


def test_caseloads_are_a_distribution(annual):
    html = annual.html.read_text(encoding="utf-8")
    line = re.search(r'data-distribution="iro_caseload_at_period_end">([^<]*)<', html).group(1)
    assert unescape(line) == "3 IROs held cases; their caseloads ranged from 38 to 56 children (median 47)."
    chart = re.search(r'<svg[^>]*id="chart-iro-caseloads".*?</svg>', html, re.S).group(0)
    assert chart.count('class="bar"') == 3  # 30–39, 40–49 and 50–59: one IRO each


def _summary_rows(html: str) -> dict[str, list[str]]:
    table = re.search(r'<table class="headlines".*?</table>', html, re.S).group(0)
    rows = {}
    for measure, body in re.findall(r'<tr data-measure="([^"]+)">(.*?)</tr>', table, re.S):
        rows[measure] = [_visible_text(c).strip() for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", body, re.S)]
    return rows


def test_summary_page_compares_with_last_year_from_published_values(annual):
    rows = _summary_rows(annual.html.read_text(encoding="utf-8"))
    published = {(m, p): v for p, m, b, _bv, _v, v in
                 [(f[0].period_label, f[1], f[2], f[3], f[4], f[5]) for f in _figures()] if b == "total"}
    title, now, before, change = rows["cla_at_period_end"][:4]
    assert (now, before) == (published["cla_at_period_end", YEAR], published["cla_at_period_end", "2024-25"])
    assert change == f"up {int(now) - int(before)}" if int(now) > int(before) else change.startswith("down")
    assert rows["cla_reviews_on_time_in_period"][1:4] == ["86.0%", "84.5%", "up 1.5 points"]
    assert rows["icpc_within_15_working_days_in_period"][3] == "up 2.0 points"
    assert "Target" not in rows["cla_at_period_end"][-1]  # no targets set: no status column


def test_summary_change_with_a_marker_is_the_marker_and_targets_are_plain_words(mart, tmp_path):
    from csc_pipeline.deployment import Target

    with psycopg.connect(mart) as conn:
        conn.execute("update marts.performance_measures set published_value = 'c' where la_code = %s"
                     " and period_label = '2024-25' and measure_id = 'lado_allegations_in_period'"
                     " and breakdown = 'total'", (LA_CODE,))
    targets = {"cla_reviews_on_time_in_period": Target(90.0), "rcpc_on_time_in_period": Target(90.0),
               "lado_allegations_in_period": Target(10.0, "lower"), "cla_without_iro_at_period_end": Target(0, "lower")}
    files = render_annual_report(mart, LA_CODE, YEAR, tmp_path, targets=targets)
    rows = _summary_rows(files.html.read_text(encoding="utf-8"))
    assert rows["lado_allegations_in_period"][2:4] == ["c", "c"]  # 2024-25 suppressed: so is the change
    assert rows["cla_reviews_on_time_in_period"][4] == "Target 90% not met"
    assert rows["rcpc_on_time_in_period"][4] == "Target 90% met (at or above it)"
    assert rows["lado_allegations_in_period"][4] == "Target 10 not met"
    assert rows["cla_without_iro_at_period_end"][4] == "Target 0: cannot be assessed (there is no figure)"
    assert rows["cla_at_period_end"][4] == ""  # no target for it


def test_year_to_date_is_provisional(mart, tmp_path):
    files = render_annual_report(mart, LA_CODE, "2026-27", tmp_path)
    html = files.html.read_text(encoding="utf-8")
    assert "provisional: year to date" in html and "23 November 2026" in html


def test_quarterly_pack_shows_the_quarter_and_four_before(mart, tmp_path):
    files = render_quarterly_pack(mart, LA_CODE, "2026-27 Q2", tmp_path)
    with files.csv.open(newline="", encoding="utf-8") as f:
        header = next(csv.reader(f))
    assert [c for c in header if " Q" in c] == ["2025-26 Q2", "2025-26 Q3", "2025-26 Q4", "2026-27 Q1", "2026-27 Q2"]
    html = files.html.read_text(encoding="utf-8")
    assert "Quarterly performance pack" in html and "at quarter end" in html
    assert "final: full quarter" in html


def test_unknown_period_or_council_is_a_clear_error(mart, tmp_path):
    with pytest.raises(ReportInputError, match=r"2030-31.*Periods available: 2021-22, .*2025-26, 2026-27"):
        render_annual_report(mart, LA_CODE, "2030-31", tmp_path)
    with pytest.raises(ReportInputError, match=r"2026-27 Q4.*Periods available: 2021-22 Q1, .*2026-27 Q3"):
        render_quarterly_pack(mart, LA_CODE, "2026-27 Q4", tmp_path)
    with pytest.raises(ReportInputError, match=r"E09999998.*Councils available: .*E06000999"):
        render_annual_report(mart, "E09999998", YEAR, tmp_path)
    assert not list(tmp_path.iterdir())


def record_publication(dsn: str) -> int:
    """Record the mart as it stands as a publication (as the nightly switch does), committed."""
    with psycopg.connect(dsn) as conn:
        return _record(conn)[0]


def test_publication_history_records_only_changes(mart):
    first = record_publication(mart)
    with psycopg.connect(mart) as conn:
        recorded = conn.execute("select count(*) from audit.published_figures where publication_id = %s and"
                                " la_code = %s", (first, LA_CODE)).fetchone()[0]
        assert recorded == len(_figures())
        # A revised figure, and a suppressed count moving within 1–5 (published c both times).
        conn.execute("update marts.performance_measures set value = 131, published_value = '131'"
                     " where la_code = %s and period_label = %s and measure_id = 'cla_at_period_end'"
                     " and breakdown = 'total'", (LA_CODE, YEAR))
        conn.execute("update marts.performance_measures set value = 3 where la_code = %s and period_label = %s"
                     " and measure_id = %s and breakdown = %s and breakdown_value = %s", (LA_CODE, *SUPPRESSED_CELL[3:],
                     *SUPPRESSED_CELL[:3]))
    second = record_publication(mart)
    revisions = changes(mart, LA_CODE, since=first)
    assert len(revisions) == 1
    r = revisions[0]
    assert (r.publication_id, r.period_type, r.period_label, r.measure_id, r.breakdown, r.breakdown_value) == (
        second, "financial_year", YEAR, "cla_at_period_end", "total", TOTAL)
    before = next(published for p, m, b, _, _, published in _figures()
                  if (p.period_label, m, b) == (YEAR, "cla_at_period_end", "total"))
    assert (r.old_published_value, r.new_published_value, r.source_extract_date, r.kind) == (
        before, "131", EXTRACT_DATE, "revised")
    assert changes(mart, LA_CODE) == revisions  # default: since the previous publication
    with psycopg.connect(mart) as conn:
        kept = conn.execute("select count(*) from audit.published_figures where publication_id = %s"
                            " and la_code = %s", (second, LA_CODE)).fetchone()[0]
    assert kept == 2  # the revision and the value-only change; nothing else copied again

    third = record_publication(mart)
    assert changes(mart, LA_CODE, since=second) == []
    with psycopg.connect(mart) as conn:
        conn.execute("delete from marts.performance_measures where la_code = %s and measure_id ="
                     " 'iro_escalations_in_period'", (LA_CODE,))
    record_publication(mart)
    withdrawn = changes(mart, LA_CODE, since=third)
    assert withdrawn and {r.kind for r in withdrawn} == {"withdrawn"}
    assert all(r.measure_id == "iro_escalations_in_period" and r.new_published_value is None for r in withdrawn)
    assert len(changes(mart, LA_CODE, since=date(2000, 1, 1))) == len(_figures()) + 1 + len(withdrawn)


def test_cli_writes_the_files_and_prints_changes(mart, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("CSC_WAREHOUSE_DSN", mart)
    parser = argparse.ArgumentParser(prog="csc")
    add_report_commands(parser.add_subparsers())
    record_publication(mart)
    with psycopg.connect(mart) as conn:
        conn.execute("update marts.performance_measures set published_value = '99', value = 99 where la_code = %s"
                     " and period_label = '2026-27 Q2' and measure_id = 'iro_escalations_in_period'"
                     " and breakdown = 'total'", (LA_CODE,))
    record_publication(mart)
    record_publication(mart)  # a night that changed nothing for the council (its drop quarantined)

    args = parser.parse_args(["report", "--la-code", LA_CODE.lower(), "--year", "2026-27", "--quarter", "q2",
                              "--out", str(tmp_path), "--changes"])
    assert args.func(args) == 0
    out = capsys.readouterr().out
    assert str(tmp_path / f"{LA_CODE}-quarterly-pack-2026-27-Q2.html") in out
    assert "1 revision(s)" in out and "iro_escalations_in_period" in out and "→ 99" in out
    assert "publication" not in out.replace("published", "")  # by date, never internal ids
    args = parser.parse_args(["report", "--la-code", LA_CODE, "--year", "2026-27", "--quarter", "Q2",
                              "--out", str(tmp_path), "--changes", "--since", "2000-01-01"])
    assert args.func(args) == 0
    out = capsys.readouterr().out
    assert "published since 2000-01-01" in out and int(out.split(" revision(s)")[0].split()[-1]) > 1

    args = parser.parse_args(["report", "--la-code", LA_CODE, "--year", "2031-32"])
    assert args.func(args) == 2
    assert "Periods available" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        parser.parse_args(["report", "--la-code", LA_CODE, "--year", "2025"])


def _png_pixels_vary(png: bytes) -> bool:
    """Decompress the PNG's image data and check it is not one flat colour."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat = 8, b""
    while pos < len(png):
        length, kind = struct.unpack(">I4s", png[pos:pos + 8])
        if kind == b"IDAT":
            idat += png[pos + 8:pos + 8 + length]
        pos += 12 + length
    return len(set(zlib.decompress(idat))) > 16


def test_page_renders_in_a_browser(annual):
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} not found: run scripts/ensure-system-deps.sh (as root) to install Debian's chromium")
    ARTIFACTS.mkdir(exist_ok=True)
    screenshot = ARTIFACTS / "annual_report.png"
    screenshot.unlink(missing_ok=True)
    profile = Path(tempfile.mkdtemp(prefix="csc-chromium-"))
    try:
        common = [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  f"--user-data-dir={profile}", "--window-size=1280,2000"]
        url = annual.html.resolve().as_uri()
        subprocess.run([*common, f"--screenshot={screenshot}", url], check=True, capture_output=True, timeout=180)
        dom = subprocess.run([*common, "--dump-dom", url], check=True, capture_output=True, text=True,
                             timeout=180).stdout
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    assert screenshot.exists() and screenshot.stat().st_size > 20_000
    assert _png_pixels_vary(screenshot.read_bytes())
    assert 'id="chart-cla-trend"' in dom and dom.count('class="bar"') >= 5 and "<polyline" in dom
    assert LA_NAME in dom


def test_summary_and_labels_as_the_browser_shows_them(annual):
    """The page as a reader sees it (innerText): the summary first, no code run into its label."""
    from browser import opened

    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "annual_report_summary.png"
    shot.unlink(missing_ok=True)
    with opened(annual.html.resolve().as_uri(), wait_for=["Summary of the year"], size=(1280, 1100)) as (page, text):
        png = page.call("Page.captureScreenshot", format="png")["data"]
        shot.write_bytes(base64.b64decode(png))
        first_table = page.evaluate("document.querySelector('main table').dataset.summary")
        nav = page.evaluate("[...document.querySelectorAll('nav.section-nav')].length")
    assert first_table == "headlines"  # the summary is the first table on the page
    assert nav == 6  # each section links to the summary, the contents and its neighbours
    assert text.index("Summary of the year") < text.index("Contents") < text.index("Reading these tables")
    assert "Full care order (C2)" in text and "C2Full care order" not in text and "C2\tFull" not in text
    assert "Children looked after at 31 March\t" in text  # the summary's first headline, as a table row
    assert _png_pixels_vary(shot.read_bytes())


def test_pdf_is_a4_with_the_summary_on_page_one(mart, tmp_path):
    from csc_pipeline.reports.pdf import page_count

    files = render_annual_report(mart, LA_CODE, YEAR, tmp_path, pdf=True)
    info = subprocess.run(["pdfinfo", str(files.pdf)], check=True, capture_output=True, text=True).stdout
    assert re.search(r"Page size:\s+[0-9.]+ x [0-9.]+ pts \(A4\)", info), info
    pages = page_count(files.pdf)
    assert int(re.search(r"Pages:\s+(\d+)", info).group(1)) == pages and 2 <= pages <= 30
    first = subprocess.run(["pdftotext", "-f", "1", "-l", "1", "-layout", str(files.pdf), "-"], check=True,
                           capture_output=True, text=True).stdout
    assert "Summary of the year" in first and "Children looked after at 31 March" in first
    assert "Reading these tables" not in first and "By age band" not in first  # page 1 is the summary alone
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "annual_report_pdf_page1.png").unlink(missing_ok=True)
    subprocess.run(["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", str(files.pdf),
                    str(ARTIFACTS / "annual_report_pdf_page1")], check=True, timeout=120)
    assert _png_pixels_vary((ARTIFACTS / "annual_report_pdf_page1.png").read_bytes())
