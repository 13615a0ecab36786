"""The first validation gate: GX suites from the contract, run in PostgreSQL on a landing schema.

Landing schemas are built here by hand, as the landing step builds them: one text
column per file header, plus la_code, extract_date and source_row (1 = first record).
"""

from __future__ import annotations

import json
import shutil
import uuid
from datetime import date, timedelta
from pathlib import Path

import psycopg
from psycopg import sql

from csc_pipeline import paths
from csc_pipeline.contract import CODE_SETS, TABLES, TABLES_BY_NAME, Table
from csc_pipeline.issues import ValidationReport
from csc_pipeline.validate.gate import validate_drop
from csc_pipeline.validate.suites import build_suites
from csc_pipeline.deployment import ValidationConfig
from csc_pipeline.validate.gx_run import landing_url
from csc_pipeline.validate.suites import ALLOWED_EXPECTATION_TYPES, open_context

PII = "Zebedee-Unique"
# A council no other test publishes: validation compares a drop with the council's last good one.
LA = "E06000998"


# --- building landing schemas ---------------------------------------------------------------

def _value(table: Table, column, i: int) -> str:
    if column.references:
        ref_table, ref_column = column.references
        return _value(TABLES_BY_NAME[ref_table], TABLES_BY_NAME[ref_table].column(ref_column), i)
    if column.primary_key:
        return f"{table.primary_key.name.split('_')[0]}-{i}"
    if column.type == "date":
        return (date(2024, 1, 10) + timedelta(days=i)).isoformat()
    if column.type == "yn":
        return "Y"
    if column.type == "number":
        return f"{i}.5"
    if column.type == "code":
        return next(iter(CODE_SETS[column.code_set].codes))
    return f"{column.name}-{i}"


def good_rows(table: Table, n: int = 3) -> list[dict[str, str | None]]:
    """n valid records with every column of the contract (optional ones too)."""
    return [{c.name: _value(table, c, i) for c in table.columns} for i in range(1, n + 1)]


def land(dsn: str, tables: dict[str, list[dict[str, str | None]]], columns: dict[str, list[str]] | None = None) -> str:
    """Create a landing schema holding these tables; returns its name.

    `columns` overrides a table's header (default: the keys of its first row, or the
    contract's columns for an empty table)."""
    schema = f"landing_{LA.lower()}_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(sql.SQL("create schema {}").format(sql.Identifier(schema)))
        for name, rows in tables.items():
            header = (columns or {}).get(name) or (list(rows[0]) if rows else TABLES_BY_NAME[name].column_names)
            cols = [sql.SQL("{} text").format(sql.Identifier(c)) for c in header]
            conn.execute(
                sql.SQL("create table {}.{} ({}, la_code text, extract_date date, source_row integer)").format(
                    sql.Identifier(schema), sql.Identifier(name), sql.SQL(", ").join(cols)
                )
            )
            with conn.cursor().copy(
                sql.SQL("copy {}.{} ({}) from stdin").format(
                    sql.Identifier(schema), sql.Identifier(name),
                    sql.SQL(", ").join(map(sql.Identifier, [*header, "la_code", "extract_date", "source_row"])),
                )
            ) as copy:
                for n, row in enumerate(rows, 1):
                    copy.write_row([*(row.get(c) for c in header), LA, "2026-11-24", n])
    return schema


def good_drop(**overrides) -> dict[str, list[dict]]:
    # Enough people and professionals for every row other tables' overrides refer to.
    tables = {t.name: good_rows(t, 12 if t.name in ("ssd_person", "ssd_professionals") else 3)
              for t in TABLES if t.required}
    tables.update(overrides)
    return tables


def run(dsn: str, tables: dict, columns: dict | None = None) -> ValidationReport:
    schema = land(dsn, tables, columns)
    return validate_drop(dsn, schema, tables_present=list(tables))


def only(report: ValidationReport, rule: str) -> list:
    return [i for i in report.issues if i.rule == rule]


def tree(root: Path, *, uncommitted: bool = False) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and (uncommitted or "uncommitted" not in p.relative_to(root).parts)
    }


# --- suites -------------------------------------------------------------------------------

def test_committed_suites_are_what_build_suites_builds(tmp_path):
    """The JSON under expectations/ is exactly the contract's: rebuilding it changes nothing."""
    committed = tree(paths.EXPECTATIONS_DIR)
    assert any(k.endswith("ssd_person.json") for k in committed)
    shutil.copytree(paths.EXPECTATIONS_DIR, tmp_path / "expectations", ignore=shutil.ignore_patterns("uncommitted"))
    names = build_suites(open_context(tmp_path / "expectations"))
    assert names == [t.name for t in TABLES]
    assert tree(tmp_path / "expectations") == committed, "suites are stale: re-render them (make render)"


def test_contract_check_finds_a_suite_out_of_date(tmp_path):
    from csc_pipeline.validate.suites import suites_out_of_date

    copy = tmp_path / "expectations"
    shutil.copytree(paths.EXPECTATIONS_DIR, copy, ignore=shutil.ignore_patterns("uncommitted"))
    assert suites_out_of_date(copy) == []
    edited = copy / "gx" / "expectations" / "ssd_person.json"
    edited.write_text(edited.read_text().replace('"critical"', '"warning"', 1))
    assert suites_out_of_date(copy) == [edited]


def test_suites_follow_the_contract_and_only_select_counts_and_row_numbers():
    suites_dir = paths.EXPECTATIONS_DIR / "gx" / "expectations"
    assert sorted(p.stem for p in suites_dir.glob("*.json")) == sorted(t.name for t in TABLES)
    for table in TABLES:
        suite = json.loads((suites_dir / f"{table.name}.json").read_text())
        by_rule = {}
        for e in suite["expectations"]:
            assert e["type"] in ALLOWED_EXPECTATION_TYPES
            by_rule.setdefault(e["meta"]["rule"], []).append(e)
            # Each expectation reads its own check's row of the results table: counts, row numbers.
            assert e["kwargs"]["unexpected_rows_query"] == (
                "select r.violations, r.sample_rows, r.detail, r.error from {batch} as r cross join generate_series("
                f"1, greatest(r.violations, 1)) where r.check_id = '{e['meta']['check']}' and r.status in "
                "('failed', 'error')")
            violation = (e["meta"].get("sql") or {}).get("violation", "")
            assert "select" not in violation.lower(), "a row check is a predicate, not a query"
        (required,) = by_rule["required_column"]
        assert sorted(required["meta"]["params"]["columns"]) == sorted(c.name for c in table.columns if not c.optional)
        pk = table.primary_key.name
        assert [e["meta"]["column"] for e in by_rule["primary_key_unique"]] == [pk]
        assert pk in [e["meta"]["column"] for e in by_rule["not_null"]]
        assert ("table_not_empty" in by_rule) == table.required


def test_landing_url_sets_the_schema_read_only():
    url = landing_url("postgresql://u:p@127.0.0.1:5433/warehouse?sslmode=disable", "landing_e06999999_20261124")
    assert url.startswith("postgresql+psycopg://u:p@127.0.0.1:5433/warehouse?sslmode=disable&options=")
    assert "search_path%3Dlanding_e06999999_20261124" in url
    assert "default_transaction_read_only%3Don" in url


# --- validation ---------------------------------------------------------------------------

def test_a_good_drop_passes(warehouse_dsn):
    tables = good_drop()
    # an optional column may be absent, an optional table too
    for row in tables["ssd_person"]:
        del row["pers_upn"]
    report = run(warehouse_dsn, tables)
    assert report.success
    # named, so a renamed header is noticed (no earlier drop had it filled: a warning)
    assert [(i.rule, i.table, i.column, i.severity) for i in report.issues] == [
        ("optional_column_missing", "ssd_person", "pers_upn", "warning")], report.to_text()
    assert run(warehouse_dsn, good_drop()).to_text() == "Passed validation."


def test_records_the_measures_treat_specially_warn_with_their_counts(warehouse_dsn):
    """measures.md §2: an empty link, a record left open past the child's 18th birthday or death,
    and an unknown date of birth are loaded, and the gate warns with their counts (never values)."""
    tables = good_drop()
    persons = tables["ssd_person"]
    for person in persons:
        person["pers_death_date"] = ""
    persons[0]["pers_dob"] = "2008-11-23"  # 18 on 23 November 2026, the day before the extract
    persons[3]["pers_dob"] = "2008-11-24"  # 18 on the extract date itself: still 17 on the day before
    persons[1]["pers_death_date"] = "2025-01-01"
    persons[2]["pers_dob"], persons[2]["pers_expected_dob"] = "", ""  # age not known
    persons[4]["pers_dob"], persons[4]["pers_expected_dob"] = "", "2027-01-01"  # unborn: not warned
    episodes = tables["ssd_cla_episodes"]  # episode i is pers-i's
    episodes[0]["clae_cla_episode_ceased_date"] = ""  # pers-1, 18: open past the birthday
    episodes[1]["clae_cla_episode_ceased_date"] = "SSD_PH"  # pers-2: open after death
    episodes.append({**episodes[0], "clae_cla_episode_id": "clae-4", "clae_person_id": "pers-4",
                     "clae_cla_id": "clae_cla_id-4"})  # open, pers-4 still 17 on the last day covered
    plans = tables["ssd_cp_plans"]
    plans[1]["cppl_cp_plan_end_date"] = ""  # pers-2 again
    plans[2]["cppl_person_id"] = ""  # a plan with no child: stands alone
    tables["ssd_cla_reviews"][0]["clar_cla_id"] = ""
    tables["ssd_cla_reviews"][2]["clar_cla_id"] = " "
    report = run(warehouse_dsn, tables)
    assert report.success and report.blocking == [], report.to_text()
    got = {(i.table, i.column, i.rule): (i.rows, i.sample_rows) for i in report.warnings}
    assert got == {
        ("ssd_cla_reviews", "clar_cla_id", "missing_link"): (2, [1, 3]),
        ("ssd_cp_plans", "cppl_person_id", "missing_link"): (1, [3]),
        ("ssd_cla_episodes", "clae_cla_episode_ceased_date", "open_after_18"): (1, [1]),
        ("ssd_cla_episodes", "clae_cla_episode_ceased_date", "open_after_death"): (1, [2]),
        ("ssd_cp_plans", "cppl_cp_plan_end_date", "open_after_death"): (1, [2]),
        ("ssd_person", "pers_dob", "dob_missing"): (1, [3]),
    }, report.to_text()
    assert all(i.severity == "warning" for i in report.warnings)
    text = report.to_text() + json.dumps(report.to_dict())
    for value in ("2008-11-23", "2025-01-01", "2027-01-01", "pers-1", "pers-2", "pers-3"):
        assert value not in text  # counts and row numbers, never values


def test_a_missing_required_column_blocks(warehouse_dsn):
    tables = good_drop()
    for row in tables["ssd_cla_reviews"]:
        del row["clar_cla_review_date"]
    report = run(warehouse_dsn, tables)
    assert not report.success
    (issue,) = report.issues
    assert (issue.table, issue.column, issue.rule, issue.severity) == (
        "ssd_cla_reviews", "clar_cla_review_date", "required_column", "blocking")
    assert issue.to_text() == ("ssd_cla_reviews.csv column clar_cla_review_date: required column missing"
                               " [required_column]")


def test_a_misspelt_primary_key_header_blocks_once_and_names_the_stray_column(warehouse_dsn):
    tables = good_drop()
    tables["ssd_person"] = [{("pers_persn_id" if k == "pers_person_id" else k): v for k, v in r.items()}
                            for r in tables["ssd_person"]]
    report = run(warehouse_dsn, tables)
    assert not report.success
    got = {(i.table, i.column, i.rule, i.severity) for i in report.issues}
    assert got == {
        ("ssd_person", "pers_person_id", "required_column", "blocking"),
        ("ssd_person", None, "unknown_column", "warning"),  # by position: names not the contract's are withheld
    }, report.to_text()  # and no "check could not be run" for the key checks on the missing column


def test_a_duplicate_primary_key_blocks_with_its_rows(warehouse_dsn):
    person = TABLES_BY_NAME["ssd_person"]
    rows = good_rows(person, 10)
    rows[8]["pers_person_id"] = " " + rows[4]["pers_person_id"]  # rows 5 and 9: same key (spaces ignored)
    report = run(warehouse_dsn, good_drop(ssd_person=rows))
    assert not report.success
    (issue,) = report.issues
    assert (issue.table, issue.column, issue.rule, issue.severity) == (
        "ssd_person", "pers_person_id", "primary_key_unique", "blocking")
    assert issue.rows == 2
    assert issue.sample_rows == [5, 9]
    assert issue.to_text() == ("ssd_person.csv column pers_person_id: primary key not unique [primary_key_unique]"
                               " — 2 rows (rows 5, 9)")


def test_many_duplicates_report_the_count_and_the_first_five_rows(warehouse_dsn):
    rows = good_rows(TABLES_BY_NAME["ssd_professionals"], 12)
    for r in rows[3:]:
        r["prof_professional_id"] = "prof-dup"  # rows 4..12
    report = run(warehouse_dsn, good_drop(ssd_professionals=rows))
    (issue,) = only(report, "primary_key_unique")
    assert (issue.rows, issue.sample_rows) == (9, [4, 5, 6, 7, 8])
    assert issue.to_text().endswith("— 9 rows (rows 4, 5, 6, 7, 8, …)")


def test_a_missing_primary_key_blocks(warehouse_dsn):
    rows = good_rows(TABLES_BY_NAME["ssd_cp_plans"], 7)
    rows[1]["cppl_cp_plan_id"] = None  # empty field
    rows[3]["cppl_cp_plan_id"] = ""  # quoted empty string
    rows[5]["cppl_cp_plan_id"] = " SSD_PH "  # the SSD placeholder
    rows[6]["cppl_cp_plan_id"] = ""  # missing twice is not a duplicate key
    reviews = good_rows(TABLES_BY_NAME["ssd_cp_reviews"])
    for r in reviews:
        r["cppr_cp_plan_id"] = rows[0]["cppl_cp_plan_id"]  # reviews of a plan still in the drop
    report = run(warehouse_dsn, good_drop(ssd_cp_plans=rows, ssd_cp_reviews=reviews))
    assert not report.success
    (issue,) = report.issues
    assert (issue.table, issue.column, issue.rule, issue.severity) == (
        "ssd_cp_plans", "cppl_cp_plan_id", "not_null", "blocking")
    assert (issue.rows, issue.sample_rows) == (4, [2, 4, 6, 7])


def test_a_missing_required_table_blocks_and_a_missing_optional_one_does_not(warehouse_dsn):
    tables = good_drop()
    del tables["loc_iro_escalations"]
    report = run(warehouse_dsn, tables)
    assert not report.success
    assert [(i.table, i.column, i.rule, i.severity) for i in report.issues] == [
        ("loc_iro_escalations", None, "required_table", "blocking")]
    assert report.issues[0].to_text() == ("loc_iro_escalations.csv: required table missing from the drop"
                                          " [required_table]")


def test_an_empty_required_table_blocks_an_empty_optional_one_does_not(warehouse_dsn):
    report = run(warehouse_dsn, good_drop(ssd_cla_health=[], loc_cla_pep=[]))
    assert not report.success
    assert [(i.table, i.rule) for i in report.issues] == [("ssd_cla_health", "table_not_empty")]


def test_a_check_that_cannot_run_blocks(warehouse_dsn):
    tables = good_drop()
    schema = land(warehouse_dsn, tables)
    # A table whose key cannot be read: every check reading it raises (division by zero).
    columns = [c for c in tables["ssd_permanence"][0] if c != "perm_table_id"]
    with psycopg.connect(warehouse_dsn, autocommit=True) as conn:
        conn.execute(sql.SQL("alter table {}.ssd_permanence rename to ssd_permanence_file").format(
            sql.Identifier(schema)))
        conn.execute(sql.SQL(
            "create view {}.ssd_permanence as select la_code, extract_date, source_row, {}, "
            "(1 / (source_row - source_row))::text as perm_table_id from {}.ssd_permanence_file").format(
            sql.Identifier(schema), sql.SQL(", ").join(map(sql.Identifier, columns)), sql.Identifier(schema)))
    report = validate_drop(warehouse_dsn, schema, tables_present=list(tables))
    assert not report.success
    (issue,) = report.issues  # one per table, however many of its checks could not run
    assert (issue.table, issue.column, issue.rule, issue.severity, issue.rows) == (
        "ssd_permanence", None, "check_error", "blocking", 0)
    assert issue.message.endswith("checks could not be run (DivisionByZero)")
    print(report.to_text())


def test_personal_data_never_reaches_the_report_or_the_expectations_folder(warehouse_dsn):
    before = tree(paths.EXPECTATIONS_DIR, uncommitted=True)
    person = TABLES_BY_NAME["ssd_person"]
    rows = good_rows(person, 6)
    rows[5]["pers_person_id"] = rows[1]["pers_person_id"]
    rows[5]["pers_forename"] = PII  # in a row the report points at
    rows[1]["pers_surname"] = PII
    lado = good_rows(TABLES_BY_NAME["loc_lado_allegations"])
    lado[0]["lado_allegation_id"] = None
    lado[0]["lado_subject_ref"] = PII
    # A file whose header row is missing: its first record becomes the "column names".
    pros = good_rows(TABLES_BY_NAME["ssd_professionals"])
    header = [*pros[0], "zebedee", PII.lower()]
    report = run(warehouse_dsn, good_drop(ssd_person=rows, loc_lado_allegations=lado, ssd_professionals=pros),
                 columns={"ssd_professionals": header})
    assert not report.success
    assert {(i.table, i.rule) for i in report.issues} == {
        ("ssd_person", "primary_key_unique"), ("loc_lado_allegations", "not_null"),
        ("ssd_professionals", "unknown_column"),
    }
    (person_issue,) = only(report, "primary_key_unique")
    assert person_issue.sample_rows == [2, 6]
    (stray,) = only(report, "unknown_column")
    assert stray.column is None and stray.message.startswith(
        f"2 columns not in the contract, at positions {len(header) - 1}, {len(header)} of the header")
    for text in (json.dumps(report.to_dict()), report.to_text()):
        assert "zebedee" not in text.lower()
        assert "pers-2" not in text  # nor the duplicated key itself
    for path in paths.EXPECTATIONS_DIR.rglob("*"):
        if path.is_file():
            assert PII.lower().encode() not in path.read_bytes().lower(), path
    # Validation only reads the committed suites: nothing is written, not even under uncommitted/.
    assert tree(paths.EXPECTATIONS_DIR, uncommitted=True) == before


def test_the_report_is_json_and_round_trips(warehouse_dsn):
    rows = good_rows(TABLES_BY_NAME["ssd_person"], 12)
    rows[11]["pers_person_id"] = rows[0]["pers_person_id"]  # pers-12 is not referenced
    tables = good_drop(ssd_person=rows)
    del tables["ssd_cp_reviews"]
    tables["ssd_notes"] = [{"note_id": "1"}]  # an extra file
    schema = land(warehouse_dsn, tables)
    report = validate_drop(warehouse_dsn, schema, tables_present=list(tables))
    data = json.loads(json.dumps(report.to_dict()))
    assert ValidationReport.from_dict(data) == report
    assert data["success"] is False
    assert [(i["table"], i["rule"], i["severity"]) for i in data["issues"]] == [
        ("ssd_person", "primary_key_unique", "blocking"),
        ("ssd_cp_reviews", "required_table", "blocking"),
        ("ssd_notes", "unknown_table", "warning"),
    ]
    assert report.to_text().splitlines()[0].startswith("Blocked: 2 blocking problems and 1 warning.")


def test_two_runs_in_one_process_agree_and_leave_no_connections(warehouse_dsn):
    rows = good_rows(TABLES_BY_NAME["ssd_s47_enquiry"], 4)
    rows[3]["s47e_s47_enquiry_id"] = rows[0]["s47e_s47_enquiry_id"]
    tables = good_drop(ssd_s47_enquiry=rows)
    schema = land(warehouse_dsn, tables)

    def connections() -> int:
        with psycopg.connect(warehouse_dsn) as conn:
            return conn.execute(
                "select count(*) from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()"
            ).fetchone()[0]

    idle = connections()
    first = validate_drop(warehouse_dsn, schema, tables_present=list(tables))
    second = validate_drop(warehouse_dsn, schema, tables_present=list(tables))
    assert first == second
    assert [(i.rule, i.rows, i.sample_rows) for i in first.issues] == [("primary_key_unique", 2, [1, 4])]
    assert connections() <= idle  # none left open (another test's may close meanwhile)


def test_a_council_sized_drop_passes_on_one_connection_or_several(warehouse_dsn):
    """~300 children: 17 tables of a few hundred to a thousand rows. (How long it takes is
    measured by `make bench`.)"""
    tables = {t.name: good_rows(t, 1000 if t.name == "ssd_person" else 400) for t in TABLES if t.required}
    schema = land(warehouse_dsn, tables)
    for connections in (1, 3):
        report = validate_drop(warehouse_dsn, schema, tables_present=list(tables),
                               config=ValidationConfig(validation_connections=connections))
        assert report.success, report.to_text()


def test_keys_are_compared_trimmed_whatever_the_fast_path(warehouse_dsn):
    """Validation first compares keys as landed and, when a key has spaces around it, again
    trimmed: a reference with spaces still finds its person, and that person's date of birth
    still applies."""
    legal = good_rows(TABLES_BY_NAME["ssd_legal_status"], 3)
    person = legal[0]["lega_person_id"]
    legal[0]["lega_person_id"] = f" {person} "
    legal[0]["lega_legal_status_start_date"] = "2020-01-01"  # before that person's birth (2024)
    legal[1]["lega_person_id"] = f"{legal[1]['lega_person_id']}  "  # only the reference is padded
    reviews = good_rows(TABLES_BY_NAME["ssd_cla_reviews"], 3)
    reviews[2]["clar_cla_id"] = " " + reviews[2]["clar_cla_id"]
    report = run(warehouse_dsn, good_drop(ssd_legal_status=legal, ssd_cla_reviews=reviews))
    got = [(i.table, i.column, i.rule, i.rows, i.sample_rows) for i in report.issues]
    assert got == [("ssd_legal_status", "lega_legal_status_start_date", "before_birth", 1, [1])], report.to_text()


def test_results_do_not_depend_on_the_number_of_connections(warehouse_dsn):
    rows = good_rows(TABLES_BY_NAME["ssd_s47_enquiry"], 4)
    rows[3]["s47e_s47_enquiry_id"] = rows[0]["s47e_s47_enquiry_id"]
    plans = good_rows(TABLES_BY_NAME["ssd_cp_plans"], 3)
    plans[1]["cppl_person_id"] = "nobody"
    plans[2]["cppl_cp_plan_start_date"] = "31/02/2024"
    tables = good_drop(ssd_s47_enquiry=rows, ssd_cp_plans=plans)
    schema = land(warehouse_dsn, tables)
    reports = [validate_drop(warehouse_dsn, schema, tables_present=list(tables),
                             config=ValidationConfig(validation_connections=n)) for n in (1, 2, 4)]
    assert reports[0] == reports[1] == reports[2]
    assert {(i.table, i.rule) for i in reports[0].issues} >= {
        ("ssd_s47_enquiry", "primary_key_unique"), ("ssd_cp_plans", "foreign_key"), ("ssd_cp_plans", "date_format")}


def test_validation_leaves_the_date_calendar_filled_for_every_connection(warehouse_dsn):
    """The checks run on several connections: the calendar the first validation fills must be
    committed, or the others would read every date the slow way (and every later run too)."""
    with psycopg.connect(warehouse_dsn, autocommit=True) as conn:
        conn.execute("truncate private.calendar")
    report = run(warehouse_dsn, good_drop())
    assert report.success, report.to_text()
    with psycopg.connect(warehouse_dsn) as conn:
        assert conn.execute("select count(*) from private.calendar").fetchone()[0] == 4 * 73_049 - 3


def test_validation_carries_on_when_no_other_connection_can_be_opened(warehouse_dsn, monkeypatch):
    """A server at max_connections refuses the extra connections: the checks run on the one
    validation already has, with the same answer."""
    plans = good_rows(TABLES_BY_NAME["ssd_cp_plans"], 3)
    plans[1]["cppl_person_id"] = "nobody"
    tables = good_drop(ssd_cp_plans=plans)
    schema = land(warehouse_dsn, tables)
    alone = validate_drop(warehouse_dsn, schema, tables_present=list(tables),
                          config=ValidationConfig(validation_connections=1))
    real_connect, refused = psycopg.connect, []

    def refuse_extra(*args, **kwargs):
        if kwargs.get("autocommit"):  # the extra connections (the gate's own is not autocommit)
            refused.append(1)
            raise psycopg.OperationalError("sorry, too many clients already")
        return real_connect(*args, **kwargs)

    monkeypatch.setattr(psycopg, "connect", refuse_extra)
    report = validate_drop(warehouse_dsn, schema, tables_present=list(tables),
                           config=ValidationConfig(validation_connections=2))
    assert refused and report == alone
    assert [(i.table, i.rule, i.rows) for i in report.issues] == [("ssd_cp_plans", "foreign_key", 1)]


# --- Data Docs -----------------------------------------------------------------------------

def _references(page: Path) -> list[tuple[str, str, str]]:
    """Every (tag, attribute, URL) of a page that the browser fetches or follows: stylesheets and
    other links, scripts, images, anchors; and url(...) in its styles, as ('css', 'url', URL)."""
    import re
    from html.parser import HTMLParser

    found: list[tuple[str, str, str]] = []

    class Collect(HTMLParser):
        def handle_starttag(self, tag, attrs):
            for name, value in attrs:
                if value and (tag, name) in {("link", "href"), ("script", "src"), ("img", "src"), ("a", "href")}:
                    found.append((tag, name, value))
                if name == "style" and value:
                    found.extend(("css", "url", u) for u in re.findall(r"url\(\s*['\"]?([^'\")]+)", value))

    text = page.read_text(encoding="utf-8")
    Collect().feed(text)
    for style in re.findall(r"<style[^>]*>(.*?)</style>", text, re.DOTALL | re.IGNORECASE):
        found.extend(("css", "url", u) for u in re.findall(r"url\(\s*['\"]?([^'\")]+)", style))
    return found


def test_data_docs_load_nothing_from_the_internet_and_every_local_file_exists(warehouse_dsn, tmp_path):
    """GX's pages take Bootstrap, jQuery and more from CDNs; the site keeps its own copies of
    what it shows instead, so a reader without internet gets styled pages and a full index."""
    rows = good_rows(TABLES_BY_NAME["ssd_person"], 12)
    rows[11]["pers_person_id"] = rows[0]["pers_person_id"]
    rows[3]["pers_surname"] = PII
    pros = TABLES_BY_NAME["ssd_professionals"].column_names
    schema = land(warehouse_dsn, good_drop(ssd_person=rows), columns={"ssd_professionals": [*pros, "extra"]})
    site = tmp_path / "docs"
    report = validate_drop(warehouse_dsn, schema, tables_present=list(good_drop()), data_docs_dir=site)
    assert [i.rule for i in report.blocking] == ["primary_key_unique"]
    assert [i.rule for i in report.warnings] == ["unknown_column"]

    pages = sorted(site.rglob("*.html"))
    assert site / "index.html" in pages and len(pages) == len(good_drop()) + 1  # the index, one per table
    for page in pages:
        refs = _references(page)
        assets = [(tag, url) for tag, attr, url in refs if tag != "a"]
        remote = [url for _, url in assets if url.lower().startswith(("http:", "https:", "//"))]
        assert remote == [], f"{page.relative_to(site)} loads {remote}"
        kinds = {(tag, url.rsplit("/", 1)[-1]) for tag, url in assets}
        assert {("link", "csc_data_docs.css"), ("script", "csc_data_docs.js")} <= kinds, page
        for tag, _, url in refs:
            if url.startswith("#") or tag == "a" and url.lower().startswith(("http:", "https:", "mailto:")):
                continue  # a link to a web site is the reader's choice; it loads nothing
            target = (page.parent / url.split("?")[0].split("#")[0]).resolve()
            assert target.is_file(), f"{page.relative_to(site)}: <{tag}> {url} points at nothing"
        assert PII.lower() not in page.read_text(encoding="utf-8").lower()
    css = (site / "static/styles/csc_data_docs.css").read_text(encoding="utf-8")
    assert ".table" in css and ".col-md-10" in css and ".collapse" in css

    # The index is a plain table: every table, failed ones first, each linked to its own page.
    index = (site / "index.html").read_text(encoding="utf-8")
    assert "bootstrapTable" not in index
    links = [url for tag, _, url in _references(site / "index.html") if tag == "a"]
    assert sorted(u.split("/")[1] for u in links) == sorted(good_drop())
    assert links[0].startswith("validations/ssd_person/")
    row = {t: next(r for r in index.split("<tr>") if f'href="validations/{t}/' in r) for t in good_drop()}
    assert "csc-blocking" in row["ssd_person"] and "— 2 rows" in row["ssd_person"]
    assert "pers_person_id is unique (the primary key) [primary_key_unique" in row["ssd_person"]
    assert "csc-passed" in row["ssd_cla_episodes"] and "<li" not in row["ssd_cla_episodes"]
    # a table check's count is not of rows (here: columns), so none is shown
    assert "csc-warning" in row["ssd_professionals"] and "[unknown_column" in row["ssd_professionals"]
    assert " row" not in row["ssd_professionals"].split("[unknown_column")[1]
