"""`csc export ees`: the demo council's published figures as EES open data.

The demo council (E06999999, small) is generated, landed and published, and dbt builds its marts;
`csc export ees` runs through the CLI with a deployment file that gives its geography. The files
must pass every rule of ees_rules.py, show exactly the mart's published values, and let no
suppressed figure be worked out (the reader-auditor, over the cells the files show). Each rule is
also shown rejecting a file broken on purpose, and the export refuses a council whose geography
the deployment file does not give.
"""

from __future__ import annotations

import contextlib
import io
from dataclasses import replace
from datetime import date
from pathlib import Path

import psycopg
import pytest

from csc_pipeline import deployment
from csc_pipeline.cli.main import main
from csc_pipeline.contract.measures import MEASURES_BY_ID, NOT_APPLICABLE, UNAVAILABLE
from csc_pipeline.reports import open_data
from csc_pipeline.reports.ees_rules import Table, check_files, check_tables, read_table
from disclosure_auditor import audit, read_mart
from drop_factory import land
from warehouse_db import own_warehouse

pytestmark = pytest.mark.e2e

LA = "E06999999"  # the demo council
LA_NAME = "Demo Council (synthetic)"
LAST = date(2026, 11, 24)
GEOGRAPHY = {"region_code": "E12000009", "region_name": "South West", "old_la_code": "999"}
YEARS = f"csc_measures_{LA}_financial_year"
QUARTERS = f"csc_measures_{LA}_financial_quarter"


@pytest.fixture(scope="module")
def warehouse(pg_server, tmp_path_factory):
    """A warehouse with the demo council published and its marts built (one dbt build)."""
    from csc_pipeline.drops.finder import find_drops
    from csc_pipeline.generate import generate_council
    from csc_pipeline.load.promote import publish_drop
    from csc_pipeline.transform import dbt_runner

    with own_warehouse(pg_server.dsn(), "open_data") as dsn:
        landing = tmp_path_factory.mktemp("open-data-landing")
        generate_council(landing, la_code=LA, la_name=LA_NAME, seed=7, children_looked_after=40, nights=1,
                         last_extract_date=LAST)
        with psycopg.connect(dsn, autocommit=True) as conn:
            for drop in find_drops(landing):
                assert publish_drop(conn, land(conn, drop)).status == "published"
        dbt_runner.build(dsn, target_path=tmp_path_factory.mktemp("open-data-dbt"))
        yield dsn


def deployment_for(dsn: str, folder: Path, council: dict) -> deployment.Deployment:
    """A deployment file listing the demo council with `council`'s settings, loaded as `csc` would."""
    import yaml

    path = folder / "deployment.yml"
    path.write_text(yaml.safe_dump({"councils": {LA: {"name": LA_NAME, **council}}}))
    return deployment.load({"CSC_DEPLOYMENT_CONFIG": str(path), "CSC_WAREHOUSE_DSN": dsn,
                            "CSC_STATE_DIR": str(folder / "state")})


def csc(config: deployment.Deployment, *argv: str) -> tuple[int, str, str]:
    """Run `csc` in-process with this deployment; (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with deployment.using(config), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def exported(warehouse, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("open-data")
    code, stdout, stderr = csc(deployment_for(warehouse, folder, GEOGRAPHY), "export", "ees", "--la-code", LA,
                               "--out", str(folder / "out"))
    assert code == 0, stderr
    assert f"{YEARS}.csv" in stdout and f"{QUARTERS}.csv" in stdout
    return folder / "out"


@pytest.fixture(scope="module")
def mart(warehouse) -> dict[tuple, dict]:
    """The demo council's rows of the mart, by (period_label, measure_id, breakdown, breakdown_value)."""
    with psycopg.connect(warehouse) as conn:
        cursor = conn.execute("select * from marts.performance_measures where la_code = %s", (LA,))
        names = [d.name for d in cursor.description]
        rows = [dict(zip(names, r)) for r in cursor.fetchall()]
    return {(r["period_label"], r["measure_id"], r["breakdown"], r["breakdown_value"]): r for r in rows}


@pytest.fixture(scope="module")
def items(warehouse) -> open_data.FilterItems:
    with psycopg.connect(warehouse) as conn:
        return open_data.published_items(conn, LA)


def tables(exported: Path, stem: str) -> tuple[Table, Table]:
    return read_table(exported / f"{stem}.csv"), read_table(exported / f"{stem}.meta.csv")


# -- the files ------------------------------------------------------------------

def test_one_data_file_per_time_type_each_with_its_metadata(exported):
    assert sorted(p.name for p in exported.iterdir()) == sorted(
        f"{stem}{suffix}" for stem in (YEARS, QUARTERS) for suffix in (".csv", ".meta.csv"))


@pytest.mark.parametrize("stem", [YEARS, QUARTERS])
def test_the_files_pass_every_rule_of_ees(exported, stem):
    assert check_files(exported / f"{stem}.csv") == []


def test_time_periods_are_the_complete_periods_in_ees_form(exported, mart):
    complete = {r["period_label"] for r in mart.values() if r["is_complete"]}
    running = {r["period_label"] for r in mart.values() if not r["is_complete"]}
    years, _ = tables(exported, YEARS)
    quarters, _ = tables(exported, QUARTERS)
    assert {r["time_identifier"] for r in years.rows} == {"Financial year"}
    assert {r["time_identifier"] for r in quarters.rows} == {f"Financial year Q{i}" for i in range(1, 5)}
    # 2019-20 is 201920; its second quarter is 201920 with the identifier Financial year Q2
    shown = {f"{r['time_period'][:4]}-{r['time_period'][4:]}" for r in years.rows}
    shown |= {f"{r['time_period'][:4]}-{r['time_period'][4:]} Q{r['time_identifier'][-1]}" for r in quarters.rows}
    assert shown == complete and not shown & running and running


def test_every_row_is_the_council_at_local_authority_level(exported):
    for stem in (YEARS, QUARTERS):
        data, _ = tables(exported, stem)
        assert {(r["geographic_level"], r["country_code"], r["country_name"], r["region_code"], r["region_name"],
                 r["new_la_code"], r["la_name"], r["old_la_code"]) for r in data.rows} == {
            ("Local authority", "E92000001", "England", "E12000009", "South West", LA, LA_NAME, "999")}


def test_indicators_are_the_measures_with_units_and_labels(exported):
    _, meta = tables(exported, YEARS)
    indicators = {r["col_name"]: r for r in meta.rows if r["col_type"] == "Indicator"}
    assert set(indicators) == set(MEASURES_BY_ID)
    for measure_id, row in indicators.items():
        percent = MEASURES_BY_ID[measure_id].published_unit == "percent"
        assert (row["indicator_unit"], row["indicator_dp"]) == (("%", "1") if percent else ("", "0"))
        assert row["indicator_grouping"] == MEASURES_BY_ID[measure_id].section
    assert indicators["cla_at_period_end"]["label"] == "Children looked after at 31 March"
    filters = {r["col_name"] for r in meta.rows if r["col_type"] == "Filter"}
    assert {"age_band", "legal_status", "sex"} <= filters and "iro" not in filters


def test_every_cell_is_the_published_value(exported, mart, items):
    # Every figure the files show is the mart's published_value for that cell (never `value`);
    # every mart cell of an exported period and breakdown is shown; the rest are z or x.
    shown = {}
    for stem in (YEARS, QUARTERS):
        data, _ = tables(exported, stem)
        cells, problems = open_data.read_cells(data, items)
        assert problems == []
        for c in cells:
            shown[c.period_label, c.measure_id, c.breakdown, c.breakdown_value] = c.shown
    expected = {k: r["published_value"] for k, r in mart.items() if r["is_complete"] and k[2] != "iro"}
    assert {k: v for k, v in shown.items() if k in mart} == expected
    assert {v for k, v in shown.items() if k not in mart} <= {NOT_APPLICABLE, UNAVAILABLE}
    suppressed = [k for k, v in expected.items() if v == "c"]
    assert suppressed and all(shown[k] == "c" for k in suppressed)


def test_no_iro_pseudonym_leaves_in_the_files(exported, mart):
    pseudonyms = {k[3] for k in mart if k[2] == "iro"}
    assert pseudonyms
    text = "".join(p.read_text() for p in exported.iterdir())
    assert not [p for p in pseudonyms if p in text]


def auditor_rows(exported: Path, items: open_data.FilterItems, published: dict[tuple, dict]) -> list[dict]:
    """The EES files' cells in the reader-auditor's shape (disclosure_auditor.read_mart): what a reader
    of the files gets. A z or x the files show for a cell the mart has no row for is no cell. The
    unit comes from the metadata; a percentage shown as a number gets the mart's numerator and
    denominator: the auditor's worst case, a reader who is given them too."""
    rows = []
    for stem in (YEARS, QUARTERS):
        data, meta = tables(exported, stem)
        units = {r["col_name"]: "percent" if r["indicator_unit"] == "%" else "count" for r in meta.rows}
        cells, problems = open_data.read_cells(data, items)
        assert problems == []
        for c in cells:
            key = (c.period_type, c.period_label, c.measure_id, c.breakdown, c.breakdown_value)
            if key not in published and c.shown in (NOT_APPLICABLE, UNAVAILABLE):
                continue
            given = published.get(key, {})
            rows.append({"la_code": LA, "period_type": c.period_type, "period_label": c.period_label,
                         "measure_id": c.measure_id, "breakdown": c.breakdown, "breakdown_value": c.breakdown_value,
                         "unit": units[c.measure_id], "numerator": given.get("numerator"),
                         "denominator": given.get("denominator"), "published_value": c.shown})
    return rows


def test_no_suppressed_figure_can_be_worked_out_from_the_files(exported, items, warehouse):
    with psycopg.connect(warehouse) as conn:
        published = {(r["period_type"], r["period_label"], r["measure_id"], r["breakdown"], r["breakdown_value"]): r
                     for r in read_mart(conn, LA)}
    result = audit(auditor_rows(exported, items, published))
    assert result.inconsistent == []
    assert result.suppressed_cells > 100  # a small council: many cells are small
    assert [(f.cell, f.part, f.low) for f in result.findings] == []


def test_from_a_year_on(warehouse, tmp_path):
    code, _, stderr = csc(deployment_for(warehouse, tmp_path, GEOGRAPHY), "export", "ees", "--la-code", LA,
                          "--from", "2023-24", "--out", str(tmp_path / "out"))
    assert code == 0, stderr
    years, _ = tables(tmp_path / "out", YEARS)
    quarters, _ = tables(tmp_path / "out", QUARTERS)
    assert min(r["time_period"] for r in years.rows) == "202324"
    assert min((r["time_period"], r["time_identifier"]) for r in quarters.rows) == ("202324", "Financial year Q1")
    assert check_files(tmp_path / "out" / f"{YEARS}.csv") == []


# -- refusals -------------------------------------------------------------------

@pytest.mark.parametrize("missing", ["region_code", "region_name", "old_la_code"])
def test_refuses_a_council_whose_geography_is_not_set(warehouse, tmp_path, missing):
    config = deployment_for(warehouse, tmp_path, {k: v for k, v in GEOGRAPHY.items() if k != missing})
    code, _, stderr = csc(config, "export", "ees", "--la-code", LA, "--out", str(tmp_path / "out"))
    assert code == 2
    assert f"councils.{LA}.{missing} is not set" in stderr
    assert not (tmp_path / "out").exists()


def test_refuses_a_region_name_that_is_not_ons(warehouse, tmp_path):
    config = deployment_for(warehouse, tmp_path, {**GEOGRAPHY, "region_name": "South-West"})
    code, _, stderr = csc(config, "export", "ees", "--la-code", LA, "--out", str(tmp_path / "out"))
    assert code == 2 and f"councils.{LA}.region_name" in stderr and "'South West'" in stderr
    assert not (tmp_path / "out").exists()


def test_refuses_a_council_with_no_figures(warehouse, tmp_path):
    config = deployment_for(warehouse, tmp_path, GEOGRAPHY)
    config = replace(config, geography={**config.geography, "E06000028": GEOGRAPHY})
    code, _, stderr = csc(config, "export", "ees", "--la-code", "E06000028", "--out", str(tmp_path / "out"))
    assert code == 2 and "E06000028" in stderr and LA in stderr  # the councils available are listed


def test_refuses_a_year_after_the_last_complete_one(warehouse, tmp_path):
    code, _, stderr = csc(deployment_for(warehouse, tmp_path, GEOGRAPHY), "export", "ees", "--la-code", LA,
                          "--from", "2030-31", "--out", str(tmp_path / "out"))
    assert code == 2 and "No complete published periods" in stderr and "2025-26" in stderr


# -- each rule rejects a file broken on purpose ---------------------------------

def _set(table: Table, row: int, column: str, value: str) -> Table:
    rows = [dict(r) for r in table.rows]
    rows[row][column] = value
    return replace(table, rows=tuple(rows))


def _drop_column(table: Table, column: str) -> Table:
    return replace(table, header=tuple(c for c in table.header if c != column),
                   rows=tuple({k: v for k, v in r.items() if k != column} for r in table.rows))


def _rename_column(data: Table, meta: Table, old: str, new: str) -> tuple[Table, Table]:
    data = replace(data, header=tuple(new if c == old else c for c in data.header),
                   rows=tuple({(new if k == old else k): v for k, v in r.items()} for r in data.rows))
    meta = replace(meta, rows=tuple({**r, "col_name": new} if r["col_name"] == old else r for r in meta.rows))
    return data, meta


def _meta_row(meta: Table, col_name: str) -> int:
    return next(i for i, r in enumerate(meta.rows) if r["col_name"] == col_name)


def _without_meta_row(meta: Table, col_name: str) -> Table:
    return replace(meta, rows=tuple(r for r in meta.rows if r["col_name"] != col_name))


def _with_meta_row(meta: Table, **values: str) -> Table:
    return replace(meta, rows=(*meta.rows, {**dict.fromkeys(meta.header, ""), **values}))


def _replace_item(table: Table, column: str, old: str, new: str) -> Table:
    return replace(table, rows=tuple({**r, column: new} if r[column] == old else r for r in table.rows))


BROKEN = {
    # time
    "time_period_format": lambda d, m: (_set(d, 0, "time_period", "2019-20"), m),
    "time_period_consecutive": lambda d, m: (_set(d, 0, "time_period", "201921"), m),
    "time_identifier_mixed": lambda d, m: (_set(d, 0, "time_identifier", "Financial year Q1"), m),
    "time_identifier_valid": lambda d, m: (_set(d, 0, "time_identifier", "Financial Year"), m),
    # geography
    "geographic_level": lambda d, m: (_set(d, 0, "geographic_level", "Local Authority"), m),
    "geography_overcompleted": lambda d, m: (_set(d, 0, "geographic_level", "National"), m),
    "geography_columns": lambda d, m: (_drop_column(d, "region_code"), m),
    "data_required_columns": lambda d, m: (_drop_column(d, "country_code"), m),
    "geography_incomplete": lambda d, m: (_set(d, 0, "old_la_code", ""), m),
    "geography_codes": lambda d, m: (_set(d, 0, "region_name", "South-West"), m),
    "observational_unit_total": lambda d, m: (_set(d, 0, "la_name", "Total"), m),
    "null_symbols": lambda d, m: (_set(d, 0, "la_name", "NULL"), m),
    # columns
    "column_snake_case": lambda d, m: _rename_column(d, m, "cla_at_period_end", "CLA_at_period_end"),
    "column_name_length": lambda d, m: _rename_column(d, m, "cla_at_period_end", "cla_" + "x" * 50),
    "indicator_tidy": lambda d, m: _rename_column(d, m, "cla_at_period_end", "cla_female_at_period_end"),
    "data_column_not_in_meta": lambda d, m: (d, _without_meta_row(m, "cla_at_period_end")),
    "meta_column_not_in_data": lambda d, m: (_drop_column(d, "cla_at_period_end"), m),
    # indicators
    "indicator_value": lambda d, m: (_set(d, 0, "cla_at_period_end", "u"), m),  # a symbol EES does not use
    # metadata
    "meta_required_columns": lambda d, m: (d, _drop_column(m, "filter_hint")),
    "meta_unknown_columns": lambda d, m: (d, replace(m, header=(*m.header, "notes"),
                                                     rows=tuple({**r, "notes": ""} for r in m.rows))),
    "meta_col_type": lambda d, m: (d, _set(m, _meta_row(m, "cla_at_period_end"), "col_type", "Measure")),
    "meta_col_name": lambda d, m: (d, _with_meta_row(m, col_name="age_band", col_type="Filter", label="Age 2")),
    "meta_label": lambda d, m: (d, _set(m, _meta_row(m, "cla_started_in_period"), "label",
                                        m.rows[_meta_row(m, "cla_at_period_end")]["label"])),
    "meta_indicator_unit": lambda d, m: (d, _set(m, _meta_row(m, "cla_reviews_on_time_in_period"),
                                                 "indicator_unit", "percent")),
    "meta_indicator_dp": lambda d, m: (d, _set(m, _meta_row(m, "cla_at_period_end"), "indicator_dp", "one")),
    "meta_filter_fields": lambda d, m: (d, _set(m, _meta_row(m, "age_band"), "indicator_unit", "%")),
    "meta_indicator_fields": lambda d, m: (d, _set(m, _meta_row(m, "cla_at_period_end"), "filter_hint", "hint")),
    "meta_observational_unit": lambda d, m: (d, _with_meta_row(m, col_name="la_name", col_type="Filter",
                                                               label="Council")),
    # filters and rows
    "filter_total": lambda d, m: (_replace_item(d, "age_band", "Total", "All ages"), m),
    "filter_blank": lambda d, m: (_set(d, 0, "sex", ""), m),
    "filter_single_level": lambda d, m: (replace(d, rows=tuple({**r, "sex": "Total"} for r in d.rows)), m),
    "duplicate_rows": lambda d, m: (replace(d, rows=(*d.rows, d.rows[0])), m),
    # file names
    "file_name": lambda d, m: (replace(d, name="csc measures.csv"), replace(m, name="csc measures.meta.csv")),
    "meta_file_name": lambda d, m: (d, replace(m, name="csc_measures.meta.csv")),
}


@pytest.mark.parametrize("rule", sorted(BROKEN))
def test_each_rule_rejects_a_file_broken_on_purpose(exported, rule):
    data, meta = BROKEN[rule](*tables(exported, YEARS))
    rules = {v.rule for v in check_tables(data, meta)}
    assert rule in rules, rules


@pytest.mark.parametrize("shown", ["blank", "legacy", "unsuppressed"])
def test_an_indicator_cell_is_a_number_or_an_ees_symbol(exported, shown):
    data, meta = tables(exported, YEARS)
    broken = _set(data, 0, "cla_at_period_end", {"blank": "", "legacy": ":", "unsuppressed": "c*"}[shown])
    assert "indicator_value" in {v.rule for v in check_tables(broken, meta)}


def test_the_quarters_file_rejects_a_year_in_a_quarter(exported):
    data, meta = tables(exported, QUARTERS)
    assert "time_identifier_mixed" in {v.rule for v in check_tables(_set(data, 0, "time_identifier",
                                                                         "Financial year"), meta)}
    assert "time_period_format" in {v.rule for v in check_tables(_set(data, 0, "time_period", "2019"), meta)}


def test_an_unsuppressed_value_where_the_published_value_is_c_is_rejected(exported, mart, items):
    # The real count of a suppressed cell, put in its place: the file still passes EES's rules (it is
    # a number), so the check against the published figures is what stops it.
    data, meta = tables(exported, YEARS)
    cells, _ = open_data.read_cells(data, items)
    cell = next(c for c in cells if c.shown == "c" and MEASURES_BY_ID[c.measure_id].published_unit == "count")
    value = mart[cell.period_label, cell.measure_id, cell.breakdown, cell.breakdown_value]["value"]
    assert value is not None and 1 <= value <= 5
    broken = _set(data, cell.row - 1, cell.measure_id, str(int(value)))
    published = {(k[1], k[2], k[3], k[0]): r["published_value"] for k, r in mart.items()}
    assert check_tables(broken, meta) == []
    problems = open_data.check_published_only(broken, published, items)
    assert [p.rule for p in problems] == ["published_values_only"]
    assert cell.measure_id in problems[0].message and "(c)" in problems[0].message
    assert open_data.check_published_only(data, published, items) == []


# -- filter items -----------------------------------------------------------------

def test_filter_items_are_labels_in_words_unique_and_within_ees_limits():
    values = [("total", "Total"), ("legal_status", "C2"), ("sex", "M"), ("age_band", "Under 1"),
              ("participation", "PN4"), ("home", "SC123456"), ("outcome", "SUB"), ("outcome", "UNS")]
    # Without the mart's labels: the code set's descriptions, else the value itself.
    items = open_data.filter_items(values, {})
    assert items["total", "Total"] == "Total"
    assert (items["legal_status", "C2"], items["sex", "M"]) == ("Full care order", "Male")
    assert (items["age_band", "Under 1"], items["home", "SC123456"]) == ("Under 1", "SC123456")
    assert len(items["participation", "PN4"]) <= 120 and items["participation", "PN4"].endswith("…")
    # The mart's labels win; two values that would read the same keep their codes apart.
    items = open_data.filter_items(values, {("outcome", "SUB"): "Concluded", ("outcome", "UNS"): "Concluded"})
    assert (items["outcome", "SUB"], items["outcome", "UNS"]) == ("Concluded (SUB)", "Concluded (UNS)")
    # An item reading `Total` outside the total row would pass for the default item: it is told apart.
    assert open_data.filter_items([("sex", "Total")], {})["sex", "Total"] == "Total (Total)"
