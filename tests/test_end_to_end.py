"""The real csc_nightly DAG, through Airflow's dag.test(), over a generated council.

The figures in marts.performance_measures are checked against counts computed
here straight from the generated CSV records, not through the pipeline's code.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
from datetime import date, timedelta
from pathlib import Path

import psycopg
import pytest

from csc_pipeline.contract.measures import MEASURES_BY_ID, dbt_var_defaults
from drop_factory import read_table

LA = "E06999999"
NIGHTS = 2
LAST = date(2026, 11, 24)

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def landing(state_dir) -> Path:
    from csc_pipeline.generate import generate_council

    root = state_dir / "e2e-landing"
    generate_council(root, la_code=LA, seed=11, children_looked_after=60, nights=NIGHTS, last_extract_date=LAST)
    return root


@pytest.fixture(scope="module")
def nightly_runs(airflow_ready, warehouse_dsn, landing):
    from csc_pipeline.flows.airflow_runner import load_dag, run_night

    os.environ["CSC_LANDING_ROOT"] = str(landing)
    dag = load_dag()
    states = [run_night(dag, LAST - timedelta(days=n)) for n in reversed(range(NIGHTS))]
    return states


def _read(landing: Path, extract_date: date, table: str) -> list[dict]:
    return read_table(landing / LA / extract_date.isoformat(), table)[1]


def _d(value: str) -> date | None:
    return date.fromisoformat(value[:10]) if value else None


def _age(born: date, day: date) -> int:
    """Completed years (a 29 February birthday is reached on 1 March in other years)."""
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def _looked_after_on(episodes, legal, day: date, persons=()) -> set[str]:
    """Children with an episode in force on `day`, less those under short-breaks legal status (V3/V4)
    and, from `persons`, those aged 18 or dead on that day (measures.md §2)."""
    gone = {p["pers_person_id"] for p in persons
            if (p["pers_dob"] and _age(_d(p["pers_dob"]), day) >= 18)
            or (p.get("pers_death_date") and _d(p["pers_death_date"]) <= day)}
    in_care = {
        e["clae_person_id"] for e in episodes
        if _d(e["clae_cla_episode_start_date"]) <= day
        and (not e["clae_cla_episode_ceased_date"] or _d(e["clae_cla_episode_ceased_date"]) > day)
    } - gone
    current: dict[str, tuple] = {}
    for s in legal:
        start, end = _d(s["lega_legal_status_start_date"]), _d(s["lega_legal_status_end_date"])
        if start <= day and (end is None or end > day):
            key = (start, s["lega_legal_status_id"])
            person = s["lega_person_id"]
            if person not in current or key > current[person][0]:
                current[person] = (key, s["lega_legal_status"])
    short_breaks = dbt_var_defaults()["short_break_legal_statuses"]
    return {p for p in in_care if current.get(p, (None, ""))[1] not in short_breaks}


def test_every_night_runs_successfully(nightly_runs):
    assert nightly_runs == ["success"] * NIGHTS


def test_children_looked_after_match_the_generated_records(nightly_runs, warehouse_dsn, landing):
    episodes = _read(landing, LAST, "ssd_cla_episodes")
    legal = _read(landing, LAST, "ssd_legal_status")
    persons = _read(landing, LAST, "ssd_person")
    with psycopg.connect(warehouse_dsn) as conn:
        rows = conn.execute(
            "select period_label, as_at_date, value, source_extract_date from marts.performance_measures"
            " where la_code = %s and measure_id = 'cla_at_period_end' and breakdown = 'total'",
            (LA,),
        ).fetchall()
    assert len(rows) >= 4 * 5  # five-plus years of quarters
    for label, as_at_date, value, source in rows:
        assert source == LAST
        expected = len(_looked_after_on(episodes, legal, as_at_date, persons))
        assert value == expected, f"{label}: marts say {value}, the records say {expected}"
    # at least one year where the figure is a real size (the generator was asked for ~60)
    assert max(v for _, _, v, _ in rows) >= 40


def test_periods_cover_the_window_and_the_running_year_is_incomplete(nightly_runs, warehouse_dsn):
    with psycopg.connect(warehouse_dsn) as conn:
        years = conn.execute(
            "select distinct period_label, period_start, as_at_date, is_complete from marts.performance_measures"
            " where la_code = %s and period_type = 'financial_year' order by period_start",
            (LA,),
        ).fetchall()
    window_start = date(LAST.year - 6, LAST.month, LAST.day)
    assert years[0][1] >= window_start and years[0][1] < date(window_start.year + 1, 4, 2)
    assert years[-1][0] == "2026-27" and years[-1][3] is False and years[-1][2] == LAST - timedelta(days=1)
    assert all(complete for *_, complete in years[:-1])


def test_breakdowns_add_up_to_the_total(nightly_runs, warehouse_dsn):
    with psycopg.connect(warehouse_dsn) as conn:
        mismatches = conn.execute(
            """
            select b.la_code, b.period_label, b.breakdown, sum(b.value), t.value
            from marts.performance_measures b
            join marts.performance_measures t using (la_code, period_type, period_label, measure_id)
            where b.measure_id = 'cla_at_period_end' and b.breakdown <> 'total' and t.breakdown = 'total'
            group by b.la_code, b.period_type, b.period_label, b.breakdown, t.value
            having sum(b.value) <> t.value
            """
        ).fetchall()
        breakdowns = {r[0] for r in conn.execute(
            "select distinct breakdown from marts.performance_measures where measure_id = 'cla_at_period_end'")}
    assert mismatches == []
    assert breakdowns == set(MEASURES_BY_ID["cla_at_period_end"].breakdowns)


def test_every_drop_is_audited_and_a_second_delivery_changes_nothing(nightly_runs, warehouse_dsn, landing):
    from csc_pipeline.drops.finder import find_drops
    from csc_pipeline.load.audit import pending_drops

    with psycopg.connect(warehouse_dsn) as conn:
        loads = conn.execute(
            "select extract_date, status from audit.loads where la_code = %s order by extract_date", (LA,)
        ).fetchall()
        counted = conn.execute(
            "select t.table_name, t.row_count from audit.load_tables t join audit.loads l using (load_id)"
            " where l.la_code = %s and l.extract_date = %s and t.present", (LA, LAST)
        ).fetchall()
        assert pending_drops(conn, find_drops(landing)) == []
    assert [s for _, s in loads] == ["published"] * NIGHTS
    persons = dict(counted)["ssd_person"]
    assert persons == len(_read(landing, LAST, "ssd_person"))


def _pseudonym(person_id: str) -> str:
    """The keyed pseudonym, computed here independently of the warehouse's SQL function."""
    from conftest import TEST_PSEUDONYM_KEY

    digest = hmac.new(TEST_PSEUDONYM_KEY.encode(), f"{LA}:{person_id}".encode(), hashlib.sha256)
    return digest.hexdigest()[:24]


def test_no_personal_data_reaches_the_marts(nightly_runs, warehouse_dsn, landing):
    people = _read(landing, LAST, "ssd_person")
    names_and_upns = {p["pers_forename"] for p in people if p["pers_forename"]} | \
                     {p["pers_surname"] for p in people if p["pers_surname"]} | \
                     {p["pers_upn"] for p in people if p["pers_upn"]}
    professionals = {p["prof_professional_name"] for p in _read(landing, LAST, "ssd_professionals")}
    # Dates of birth leak as a column holding each child's own date of birth beside its pseudonym.
    # (A single match is no leak: babies do come into care on the day they are born.)
    dob_by_pseudonym = {_pseudonym(p["pers_person_id"]): _d(p["pers_dob"]) for p in people if p["pers_dob"]}
    plain_ids = {p["pers_person_id"] for p in people}
    with psycopg.connect(warehouse_dsn) as conn:
        tables = [r[0] for r in conn.execute("select tablename from pg_tables where schemaname = 'marts'")]
        seen_text, dob_columns, pseudonyms_seen = set(), [], 0
        for table in tables:
            child_rows, matches = 0, {}
            for row in conn.execute(f'select * from marts."{table}"'):
                seen_text.update(v for v in row if isinstance(v, str))
                dob = next((dob_by_pseudonym[v] for v in row if isinstance(v, str) and v in dob_by_pseudonym), None)
                if dob is None:
                    continue
                child_rows += 1
                for i, v in enumerate(row):
                    if v == dob:
                        matches[i] = matches.get(i, 0) + 1
            pseudonyms_seen += child_rows
            dob_columns += [(table, i) for i, n in matches.items() if child_rows >= 10 and n > child_rows / 2]
    # Words the marts publish on purpose (a surname "White" is also an ethnicity group).
    from csc_pipeline.contract import CODE_SETS
    from csc_pipeline.contract.measures import ETHNICITY_GROUPS

    vocabulary = set(ETHNICITY_GROUPS) | {w for cs in CODE_SETS.values() for d in cs.codes.values() for w in d.split()}
    assert tables, "no marts were built"
    assert names_and_upns and not ((names_and_upns - vocabulary) & seen_text)
    assert professionals and not (professionals & seen_text)
    assert dob_columns == []
    if pseudonyms_seen:  # marts that identify children do so by pseudonym, never by the case-system id
        assert not ({v for v in seen_text if v.isdigit() and len(v) > 3} & plain_ids)


# Each published count, recomputed in SQL from the fact it comes from (measures.md §3).
FACT_COUNTS = {
    "cla_at_period_end": ("fct_cla_at_period_end", "not f.is_short_break and f.period_label = p.period_label "
                                                   "and f.period_type = p.period_type"),
    "cla_reviews_in_period": ("fct_cla_reviews", "f.is_held and not f.is_short_break and {in_period}(f.review_date)"),
    "icpc_in_period": ("fct_cp_conferences", "f.conference_type = 'initial' and not f.is_transfer_in "
                                             "and {in_period}(f.conference_date)"),
    "rcpc_in_period": ("fct_cp_conferences", "f.conference_type = 'review' and {in_period}(f.conference_date)"),
    "cp_plans_started_in_period": ("fct_cp_plans", "{in_period}(f.plan_start_date)"),
    "cp_plans_ended_in_period": ("fct_cp_plans", "{in_period}(f.plan_end_date)"),
    "lado_allegations_in_period": ("fct_lado_allegations", "{in_period}(f.referral_date)"),
    "lado_concluded_in_period": ("fct_lado_allegations", "f.threshold_met = 'Y' and {in_period}(f.outcome_date)"),
    "iro_escalations_in_period": ("fct_iro_escalations", "{in_period}(f.raised_date)"),
    "iro_escalations_resolved_in_period": ("fct_iro_escalations", "{in_period}(f.resolved_date)"),
    "foster_carer_reviews_in_period": ("fct_foster_carer_reviews", "f.is_held and {in_period}(f.review_date)"),
    "adoptions_in_period": ("fct_adoptions", "{in_period}(f.adoption_date)"),
}


@pytest.mark.parametrize("measure_id", sorted(FACT_COUNTS))
def test_counts_agree_with_the_facts_they_come_from(nightly_runs, warehouse_dsn, measure_id):
    fact, condition = FACT_COUNTS[measure_id]
    # "{in_period}(x)" means period_start <= x <= as_at_date (the period end of measures.md §2)
    while "{in_period}(" in condition:
        head, rest = condition.split("{in_period}(", 1)
        column, tail = rest.split(")", 1)
        condition = f"{head}({column} between p.period_start and p.as_at_date){tail}"
    query = f"""
        select p.period_label, p.value,
               (select count(*) from marts.{fact} f where f.la_code = p.la_code and {condition}) as from_fact
        from marts.performance_measures p
        where p.la_code = %s and p.measure_id = %s and p.breakdown = 'total'
    """
    with psycopg.connect(warehouse_dsn) as conn:
        rows = conn.execute(query, (LA, measure_id)).fetchall()
    assert rows, f"{measure_id} is not published"
    disagreements = [(label, value, n) for label, value, n in rows if value != n]
    assert disagreements == []
    assert any(n > 0 for _, _, n in rows), f"{measure_id}: the generated council never has one"


def test_every_measure_is_published_for_every_period(nightly_runs, warehouse_dsn):
    from csc_pipeline.contract.measures import MEASURES

    with psycopg.connect(warehouse_dsn) as conn:
        periods = conn.execute("select count(distinct (period_type, period_label)) from marts.performance_measures"
                               " where la_code = %s", (LA,)).fetchone()[0]
        published = dict(conn.execute(
            "select measure_id, count(distinct (period_type, period_label)) from marts.performance_measures"
            " where la_code = %s and breakdown = 'total' group by measure_id", (LA,)).fetchall())
        bad_percent = conn.execute(
            "select count(*) from marts.performance_measures where la_code = %s and unit = 'percent'"
            " and denominator > 0 and value <> round(100 * numerator / denominator, 1)", (LA,)).fetchone()[0]
    assert published == {m.measure_id: periods for m in MEASURES}
    assert bad_percent == 0


def test_column_descriptions_are_in_the_database(nightly_runs, warehouse_dsn):
    with psycopg.connect(warehouse_dsn) as conn:
        described = dict(conn.execute(
            """
            select a.attname, col_description(a.attrelid, a.attnum)
            from pg_attribute a
            where a.attrelid = 'marts.performance_measures'::regclass and a.attnum > 0 and not a.attisdropped
            """).fetchall())
        table_comment = conn.execute("select obj_description('marts.performance_measures'::regclass)").fetchone()[0]
    assert table_comment and table_comment.lower().startswith("one row per")
    assert described["published_value"] and "c" in described["published_value"]
    assert all(described.values()), [c for c, d in described.items() if not d]


def test_no_suppressed_figure_can_be_worked_out(nightly_runs, warehouse_dsn):
    # The reader-auditor (disclosure_auditor.py, measures.md §1): for every c cell, the range
    # of values the published figures and the listed sets allow is more than one value.
    from disclosure_auditor import audit, read_mart

    with psycopg.connect(warehouse_dsn) as conn:
        result = audit(read_mart(conn, LA))
    assert result.inconsistent == []
    assert result.suppressed_cells > 500
    assert [(f.cell, f.part, f.low) for f in result.findings] == []
    assert all(f.part != "value" and f.low == 0 for f in result.given_away_by_zeros)


def test_the_demo_councils_report_is_presentable_and_gives_nothing_away(nightly_runs, warehouse_dsn, tmp_path):
    """The annual report of the generated council, as a reader gets it: a PDF of at most 30 A4 pages
    with the summary alone on page 1, and no suppressed figure recoverable from what the page, its
    summary or its XLSX show (the reader-auditor over the shown cells, given the mart's numerators
    and denominators of every percentage shown: the worst case)."""
    import subprocess

    import openpyxl
    from disclosure_auditor import audit, read_mart
    from report_cells import report_cells

    from csc_pipeline.contract.measures import SUPPRESSED
    from csc_pipeline.reports.pdf import page_count
    from csc_pipeline.reports.report import render_annual_report

    with psycopg.connect(warehouse_dsn) as conn:
        mart = {(r["period_label"], r["measure_id"], r["breakdown"], r["breakdown_value"]): r
                for r in read_mart(conn, LA) if r["period_type"] == "financial_year"}
    year = max(p for p, *_ in mart if p <= "2025-26")
    files = render_annual_report(warehouse_dsn, LA, year, tmp_path, pdf=True)

    pages = page_count(files.pdf)
    assert 2 <= pages <= 30, pages
    first = subprocess.run(["pdftotext", "-f", "1", "-l", "1", str(files.pdf), "-"], check=True,
                           capture_output=True, text=True).stdout
    assert "Summary of the year" in first and "By age band" not in first

    html = files.html.read_text(encoding="utf-8")
    shown = report_cells(html)
    assert len(shown) > 200
    rows = []
    for (measure_id, breakdown, value, period), text in shown.items():
        if text == "–":
            continue
        published = mart[period, measure_id, breakdown, value]
        assert text.removesuffix("%") == published["published_value"], (measure_id, breakdown, value, period)
        rows.append({**published, "published_value": text.removesuffix("%")})
    result = audit(rows)
    assert result.inconsistent == [] and result.suppressed_cells > 20
    assert [(f.cell, f.part, f.low) for f in result.findings] == []

    # the summary: each change is the difference of the two published figures beside it, or a marker
    summary = re.findall(r'<tr data-measure="([^"]+)"><th scope="row">[^<]*</th>\s*<td class="num current">(.*?)</td>'
                         r'<td class="num">(.*?)</td><td class="change">(.*?)</td>', html, re.S)
    assert len(summary) == 15
    for measure_id, now, before, change in summary:
        now, before = (re.sub(r"<[^>]+>|%", "", v) for v in (now, before))
        if SUPPRESSED in (now, before):
            assert change == SUPPRESSED, measure_id

    # the workbook shows exactly the page's cells
    book = openpyxl.load_workbook(files.xlsx)
    in_book = {}
    for sheet in book.worksheets[2:-1]:
        for _name, ref in sheet.tables.items():
            header, *body = ([c.value for c in row] for row in sheet[ref])
            for r in (dict(zip(header, b)) for b in body):
                for period in (h for h in header if re.fullmatch(r"\d{4}-\d{2}", str(h))):
                    if r[period] is not None and r["breakdown"]:
                        in_book[r["measure_id"], r["breakdown"], r["breakdown_value"], period] = r[period]
    page_cells = {k: v.removesuffix("%") for k, v in shown.items() if v != "–"}
    assert set(in_book) == set(page_cells)
    assert all(str(v) == page_cells[k] or float(v) == float(page_cells[k]) for k, v in in_book.items())
