"""Marts a BI tool understands: primary and foreign keys declared on the facts and dimensions
(read back as the BI role, the way Power BI's Npgsql driver reads them, from pg_constraint),
one date key (`date`) that every fact's `*_date` column refers to, a code dimension named as
each coded breakdown, a label for every breakdown value, and a catalogue that says what each
measure is and where its rule comes from. The expected keys are read from the dbt YAML, never
listed here.

One `dbt build` on an empty warehouse holding one small council whose rows are awkward on
purpose: values that are none of their code set's codes (sex X, ethnicity ZZZZ, a local legal
status LOC9, placement type ZZ, participation PN9, escalation stage ZZZ, a LADO outcome ZZZ, a
foster carer review outcome XXX), people and professionals other tables refer to without a row
of their own (NOBODY, W3, W9), a recorded due date in 2041 and a referral in 1998, outside the
bank-holiday calendar. The build must still hold every key.
"""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import date

import psycopg
import pytest
import yaml
from raw_rows import insert_raw, record_snapshot
from warehouse_db import own_warehouse, query_rows

from csc_pipeline import paths
from csc_pipeline.contract import CODE_SETS, TABLES
from csc_pipeline.contract.dimensions import CODE_DIMENSIONS, breakdown_value_label
from csc_pipeline.contract.measures import BREAKDOWNS, MEASURES, NOT_KNOWN, OTHER
from csc_pipeline.transform import dbt_runner, publication

COUNCIL = "E06999970"
EXTRACT_DATE = date(2023, 5, 15)
WINDOW_START = date(2017, 5, 15)
FAR_DUE_DATE = date(2041, 2, 5)
OLD_REFERRAL = date(1998, 6, 1)
BI_PASSWORD = "bi-test-password"

ROWS: dict[str, list[dict]] = {
    "ssd_person": [
        {"pers_person_id": "A", "pers_sex": "M", "pers_ethnicity": "WBRI", "pers_dob": "2015-01-10"},
        {"pers_person_id": "B", "pers_sex": "X", "pers_ethnicity": "ZZZZ", "pers_dob": "2012-03-03"},
    ],
    "ssd_cla_episodes": [
        {"clae_cla_episode_id": "EA1", "clae_person_id": "A", "clae_cla_id": "CA",
         "clae_cla_episode_start_date": "2022-04-04", "clae_cla_episode_start_reason": "S"},
        {"clae_cla_episode_id": "EB1", "clae_person_id": "B", "clae_cla_id": "CB",
         "clae_cla_episode_start_date": "2016-01-04", "clae_cla_episode_start_reason": "S",
         "clae_cla_episode_ceased_date": "2022-11-30", "clae_cla_episode_ceased_reason": "E11"},
        {"clae_cla_episode_id": "EB2", "clae_person_id": "B", "clae_cla_id": "CB2",
         "clae_cla_episode_start_date": "2022-12-05", "clae_cla_episode_start_reason": "S"},
    ],
    "ssd_legal_status": [
        {"lega_legal_status_id": "LA", "lega_person_id": "A", "lega_legal_status": "C2",
         "lega_legal_status_start_date": "2022-04-04"},
        {"lega_legal_status_id": "LB", "lega_person_id": "B", "lega_legal_status": "LOC9",
         "lega_legal_status_start_date": "2022-12-05"},
    ],
    "ssd_cla_placement": [
        {"clap_cla_placement_id": "PLA", "clap_cla_id": "CA", "clap_person_id": "A",
         "clap_cla_placement_start_date": "2022-04-04", "clap_cla_placement_type": "ZZ",
         "clap_cla_placement_provider": "PR1", "clap_cla_placement_distance": "25.0"},
    ],
    "ssd_cla_reviews": [
        {"clar_cla_review_id": "R1", "clar_cla_id": "CA", "clar_cla_review_due_date": FAR_DUE_DATE.isoformat(),
         "clar_cla_review_date": "2022-05-05", "clar_cla_review_cancelled": "N",
         "clar_cla_review_participation": "PN9"},
        {"clar_cla_review_id": "R2", "clar_cla_id": "CA", "clar_cla_review_date": "2022-08-01",
         "clar_cla_review_cancelled": "N", "clar_cla_review_participation": "PN1"},
    ],
    "ssd_cp_plans": [
        {"cppl_cp_plan_id": "P1", "cppl_person_id": "A", "cppl_cp_plan_start_date": "2022-09-05",
         "cppl_cp_plan_initial_category": "Multiple: Physical abuse", "cppl_cp_plan_latest_category": "ZZZ"},
    ],
    "ssd_professionals": [
        {"prof_professional_id": "W1", "prof_staff_id": "S001", "prof_professional_name": "Iris Owen",
         "prof_professional_job_title": "Independent Reviewing Officer"},
    ],
    "ssd_involvements": [
        {"invo_involvements_id": "V1", "invo_professional_id": "W1", "invo_professional_role_id": "IRO",
         "invo_person_id": "A", "invo_involvement_start_date": "2022-04-05"},
    ],
    "loc_lado_allegations": [
        {"lado_allegation_id": "L1", "lado_referral_date": OLD_REFERRAL.isoformat(), "lado_threshold_met": "Y",
         "lado_referral_source": "SCH", "lado_employment_sector": "EDU", "lado_harm_category": "PHY",
         "lado_outcome": "ZZZ", "lado_outcome_date": "1998-09-01"},
        {"lado_allegation_id": "L2", "lado_referral_date": "2022-05-10", "lado_threshold_met": "N",
         "lado_referral_source": "PAR", "lado_employment_sector": "SPT", "lado_harm_category": "EMO"},
    ],
    "loc_iro_escalations": [
        {"esca_escalation_id": "X1", "esca_person_id": "NOBODY", "esca_professional_id": "W9",
         "esca_raised_date": "2022-07-01", "esca_stage": "ZZZ", "esca_issue_category": "PLACE"},
    ],
    "loc_foster_carer_reviews": [
        {"fcar_review_id": "FR1", "fcar_household_id": "H1", "fcar_professional_id": "W3",
         "fcar_review_due_date": "2022-06-30", "fcar_review_date": "2022-06-01", "fcar_first_review": "Y",
         "fcar_outcome": "XXX"},
    ],
}


@pytest.fixture(scope="module")
def warehouse(warehouse_dsn, tmp_path_factory):
    """The council loaded and the marts built and switched in as the nightly run does it
    (build schema, then the switch that grants the BI roles); yields the admin DSN."""
    with own_warehouse(warehouse_dsn, "bikeys") as dsn:
        with psycopg.connect(dsn) as conn:
            for table, rows in ROWS.items():
                insert_raw(conn, COUNCIL, EXTRACT_DATE, table, rows)
            present = {t.name: len(ROWS.get(t.name, [])) for t in TABLES
                       if t.required or t.name in ROWS}
            load_id = record_snapshot(conn, COUNCIL, EXTRACT_DATE, WINDOW_START, present=present)
        with psycopg.connect(dsn, autocommit=True) as conn:
            publication.prepare_build(conn)
        dbt_runner.build(dsn, target_path=tmp_path_factory.mktemp("dbt-bi-keys"),
                         marts_schema=publication.BUILD_SCHEMA)
        with psycopg.connect(dsn, autocommit=True) as conn:
            publication.switch_in(conn, through_load_id=load_id)
            conn.execute(f"alter role csc_bi password '{BI_PASSWORD}'")
        yield dsn


@pytest.fixture(scope="module")
def bi_dsn(warehouse) -> str:
    info = psycopg.conninfo.conninfo_to_dict(warehouse)
    return f"postgresql://csc_bi:{BI_PASSWORD}@{info['host']}:{info['port']}/{info['dbname']}"


def bi_rows(bi_dsn: str, query: str, params=()) -> list[tuple]:
    with psycopg.connect(bi_dsn) as conn:
        assert conn.execute("select current_user").fetchone()[0] == "csc_bi"
        return conn.execute(query, params).fetchall()


# -- what the dbt YAML declares ---------------------------------------------------------------

_REF = re.compile(r"^ref\('(\w+)'\)$")


def _declared_models() -> dict[str, dict]:
    """Every model of the marts folder with its YAML (columns, constraints)."""
    models = {}
    for path in sorted((paths.DBT_PROJECT_DIR / "models" / "marts").rglob("*.yml")):
        for model in yaml.safe_load(path.read_text(encoding="utf-8")).get("models", []):
            models[model["name"]] = model
    return models


def declared_keys() -> tuple[dict[str, tuple[str, ...]], set[tuple]]:
    """(primary keys {model: columns}, foreign keys {(model, columns, referenced model, columns)})."""
    primary, foreign = {}, set()

    def add(model: str, constraint: dict, columns: list[str]) -> None:
        if constraint["type"] == "primary_key":
            primary[model] = tuple(columns)
        elif constraint["type"] == "foreign_key":
            target = _REF.match(constraint["to"])
            assert target, f"{model}: a foreign key names its dimension with ref(): {constraint}"
            foreign.add((model, tuple(columns), target.group(1), tuple(constraint["to_columns"])))

    for name, model in _declared_models().items():
        for constraint in model.get("constraints", []):
            add(name, constraint, constraint["columns"])
        for column in model.get("columns", []):
            for constraint in column.get("constraints", []):
                add(name, constraint, [column["name"]])
    return primary, foreign


def database_keys(bi_dsn: str) -> tuple[dict[str, tuple[str, ...]], set[tuple]]:
    """The same, as the BI role reads them from the catalogue of the published marts."""
    rows = bi_rows(bi_dsn, """
        select c.contype, t.relname,
            array(select a.attname from unnest(c.conkey) with ordinality as k(attnum, i)
                  join pg_attribute a on a.attrelid = c.conrelid and a.attnum = k.attnum order by k.i),
            f.relname,
            array(select a.attname from unnest(c.confkey) with ordinality as k(attnum, i)
                  join pg_attribute a on a.attrelid = c.confrelid and a.attnum = k.attnum order by k.i)
        from pg_constraint c
        join pg_class t on t.oid = c.conrelid
        join pg_namespace n on n.oid = t.relnamespace
        left join pg_class f on f.oid = c.confrelid
        where n.nspname = 'marts' and c.contype in ('p', 'f')
    """)
    primary = {table: tuple(cols) for kind, table, cols, _, _ in rows if kind == "p"}
    foreign = {(table, tuple(cols), target, tuple(target_cols))
               for kind, table, cols, target, target_cols in rows if kind == "f"}
    return primary, foreign


# -- the keys ---------------------------------------------------------------------------------

def test_the_bi_role_finds_every_declared_key(bi_dsn):
    declared_primary, declared_foreign = declared_keys()
    primary, foreign = database_keys(bi_dsn)
    models = _declared_models()
    assert {m for m in primary if m in models} == set(declared_primary)
    assert {m: primary[m] for m in declared_primary} == declared_primary
    assert {fk for fk in foreign if fk[0] in models} == declared_foreign
    # Every key holds for every row: none was added NOT VALID (foreign keys go on after the rows).
    assert bi_rows(bi_dsn, "select count(*) from pg_constraint where connamespace = 'marts'::regnamespace"
                           " and not convalidated") == [(0,)]
    # And the lookups BI joins to: the measure catalogue and the labels (seeds, keyed by their hooks).
    assert primary["measure_catalogue"] == ("measure_id",)
    assert ("performance_measures", ("measure_id",), "measure_catalogue", ("measure_id",)) in foreign


def test_the_database_enforces_them(warehouse):
    """A row that refers to no member is refused (the keys are enforced, not just declared)."""
    with psycopg.connect(warehouse) as conn:
        row = conn.execute("select * from marts.fct_iro_escalations").fetchone()
        names = [d.name for d in conn.execute("select * from marts.fct_iro_escalations limit 0").description]
        for column, value in (("stage", "no such stage"), ("raised_date", date(1066, 10, 14)),
                              ("child_key", "no such child"), ("escalation_key", row[names.index("escalation_key")])):
            changed = [value if n == column else v for n, v in zip(names, row)]
            if column != "escalation_key":
                changed[names.index("escalation_key")] = "another escalation"
            with pytest.raises((psycopg.errors.ForeignKeyViolation, psycopg.errors.UniqueViolation)) as refused:
                with conn.transaction():
                    conn.execute(f"insert into marts.fct_iro_escalations ({', '.join(names)})"
                                 f" values ({', '.join(['%s'] * len(names))})", changed)
            expected = psycopg.errors.UniqueViolation if column == "escalation_key" else psycopg.errors.ForeignKeyViolation
            assert isinstance(refused.value, expected), column


def test_every_fact_and_dimension_has_a_primary_key_and_every_fact_refers_to_dimensions():
    primary, foreign = declared_keys()
    models = _declared_models()
    facts = [m for m in models if m.startswith("fct_")]
    dims = [m for m in models if m.startswith("dim_")]
    assert len(facts) >= 9 and len(dims) >= len(CODE_DIMENSIONS) + 5
    assert set(facts + dims + ["performance_measures"]) <= set(primary)
    for fact in facts:
        targets = {target for model, _, target, _ in foreign if model == fact}
        assert "dim_date" in targets, fact
        assert targets <= set(dims), fact
        if any(c["name"] == "child_key" for c in models[fact]["columns"]):
            assert (fact, ("la_code", "child_key"), "dim_children", ("la_code", "child_key")) in foreign


def test_one_date_key_every_fact_date_refers_to():
    """dim_date is keyed by `date`; every date column of a fact is named `<what>_date` and is a
    foreign key to it, so a BI tool relates every fact to the one date table."""
    primary, foreign = declared_keys()
    assert primary["dim_date"] == ("date",)
    for name, model in _declared_models().items():
        if not (name.startswith("fct_") or name == "performance_measures"):
            continue
        for column in model["columns"]:
            if column["data_type"] == "date":
                if name.startswith("fct_"):
                    assert column["name"].endswith("_date"), (name, column["name"])
                assert (name, (column["name"],), "dim_date", ("date",)) in foreign, (name, column["name"])


def test_each_coded_breakdown_has_a_dimension_of_its_own_name(bi_dsn):
    """dim_<breakdown> keyed by <breakdown>: the breakdown names of the output contract
    (reason, category, stage, …) find their dimension by name."""
    primary, _ = database_keys(bi_dsn)
    coded = [b.name for b in BREAKDOWNS.values() if b.is_coded] + ["age_band", "ethnicity_group"]
    assert {"reason", "category", "stage"} <= set(coded)
    for name in coded:
        assert primary.get(f"dim_{name}") == (name,), name
    # A fact's column named as a dimension's key refers to that dimension.
    _, foreign = declared_keys()
    keys = {cols[0]: dim for dim, cols in primary.items() if dim.startswith("dim_") and len(cols) == 1}
    for name, model in _declared_models().items():
        if name.startswith("fct_"):
            for column in model["columns"]:
                if column["name"] in keys:
                    dim = keys[column["name"]]
                    assert (name, (column["name"],), dim, (column["name"],)) in foreign, (name, column["name"])


def test_code_dimensions_hold_the_contracts_labels(bi_dsn):
    rows = bi_rows(bi_dsn, "select reason, reason_label from marts.dim_reason order by reason_order")
    assert rows == list(CODE_DIMENSIONS["reason"].members)
    assert dict(rows)["E4A"] == CODE_SETS["episode_ceased_reason"].codes["E4A"]
    legal = dict(bi_rows(bi_dsn, "select legal_status, is_short_break from marts.dim_legal_status"))
    assert legal["V3"] and legal["V4"] and not legal["C2"] and not legal[OTHER] and not legal[NOT_KNOWN]
    participation = dict(bi_rows(bi_dsn, "select participation, counts_as_participation from marts.dim_participation"))
    assert participation["PN1"] is True and participation["PN7"] is False
    assert participation["PN0"] is None and participation[NOT_KNOWN] is None


# -- every fact refers to rows that exist, whatever the data -------------------------------------

def _pseudonym(dsn: str, id_: str) -> str:
    return query_rows(dsn, "select private.pseudonym(%s, %s)", (COUNCIL, id_))[0][0]


def test_values_that_are_no_code_become_the_dimensions_unmatched_member(warehouse, bi_dsn):
    assert bi_rows(bi_dsn, "select stage from marts.fct_iro_escalations") == [(NOT_KNOWN,)]
    assert bi_rows(bi_dsn, "select initial_category, latest_category from marts.fct_cp_plans") == [("MUL", NOT_KNOWN)]
    assert bi_rows(bi_dsn, "select foster_carer_review_outcome from marts.fct_foster_carer_reviews") == [(NOT_KNOWN,)]
    assert sorted(bi_rows(bi_dsn, "select participation from marts.fct_cla_reviews")) == sorted([("PN1",), (NOT_KNOWN,)])
    assert bi_rows(bi_dsn, "select outcome from marts.fct_lado_allegations where outcome is not null") == [(NOT_KNOWN,)]
    statuses = dict(bi_rows(bi_dsn, "select child_key, legal_status from marts.fct_cla_at_period_end"
                                    " where period_label = '2022-23'"))
    assert statuses == {_pseudonym(warehouse, "A"): "C2", _pseudonym(warehouse, "B"): OTHER}
    assert bi_rows(bi_dsn, "select distinct placement_type from marts.fct_cla_at_period_end"
                           " where placement_type is not null") == [(NOT_KNOWN,)]
    child_b = bi_rows(bi_dsn, "select sex, ethnicity, ethnicity_group from marts.dim_children where child_key = %s",
                      (_pseudonym(warehouse, "B"),))
    assert child_b == [(NOT_KNOWN, NOT_KNOWN, NOT_KNOWN)]


def test_people_referred_to_without_a_row_of_their_own_are_members(warehouse, bi_dsn):
    children = dict(bi_rows(bi_dsn, "select child_key, has_person_record from marts.dim_children"))
    assert children == {_pseudonym(warehouse, "A"): True, _pseudonym(warehouse, "B"): True,
                        _pseudonym(warehouse, "NOBODY"): False}
    professionals = dict(bi_rows(bi_dsn, "select professional_key, has_professional_record from marts.dim_professionals"))
    assert professionals == {_pseudonym(warehouse, "W1"): True, _pseudonym(warehouse, "W3"): False,
                             _pseudonym(warehouse, "W9"): False}


def test_dim_date_spans_every_date_the_facts_hold(bi_dsn):
    first, last, days = bi_rows(bi_dsn, "select min(date), max(date), count(*) from marts.dim_date")[0]
    assert first == date(OLD_REFERRAL.year, 1, 1) and last >= FAR_DUE_DATE and last.month == 12 and last.day == 31
    assert days == (last - first).days + 1  # every day, no gaps
    outside = bi_rows(bi_dsn, "select in_working_day_calendar, is_working_day, working_day_index, financial_year"
                              " from marts.dim_date where date = %s", (FAR_DUE_DATE,))
    assert outside == [(False, None, None, "2040-41")]
    assert bi_rows(bi_dsn, "select recorded_due_date from marts.fct_cla_reviews where recorded_due_date is not null") \
        == [(FAR_DUE_DATE,)]


# -- labels and the catalogue -----------------------------------------------------------------

def test_every_breakdown_value_has_its_label(warehouse, bi_dsn):
    rows = bi_rows(bi_dsn, "select distinct breakdown, breakdown_value, breakdown_value_label"
                           " from marts.performance_measures")
    assert rows and all(label == breakdown_value_label(b, v) for b, v, label in rows), \
        [r for r in rows if r[2] != breakdown_value_label(r[0], r[1])][:5]
    labels = {(b, v): label for b, v, label in rows}
    assert labels[("reason", "E11")] == CODE_SETS["episode_ceased_reason"].codes["E11"]
    assert labels[("threshold_met", "N")] == dict(BREAKDOWNS["threshold_met"].value_labels)["N"]
    assert labels[("legal_status", OTHER)] != OTHER and labels[("total", "Total")] == "Total"
    # The IRO is labelled by its pseudonym alone.
    iro = _pseudonym(warehouse, "W1")
    assert labels[("iro", iro)] == iro


def test_the_catalogue_says_what_each_measure_is(bi_dsn):
    rows = bi_rows(bi_dsn, "select measure_id, measure_label, unit, unit_label, definition, guidance"
                           " from marts.measure_catalogue order by measure_order")
    assert [r[0] for r in rows] == [m.measure_id for m in MEASURES]
    for measure_id, label, unit, unit_label, definition, guidance in rows:
        assert label and unit_label and definition and guidance, measure_id
        assert not definition.startswith("Of those") and "measures.md" not in definition + guidance, measure_id
    guidance = {r[0]: r[5] for r in rows}
    assert "Regulations 2010, reg 33" in guidance["cla_reviews_on_time_in_period"]
    assert "Working Together to Safeguard Children 2023" in guidance["icpc_within_15_working_days_in_period"]
    assert "Children Act 1989 s25B" in guidance["iro_escalations_in_period"]
    assert "Fostering Services (England) Regulations 2011, reg 28" in guidance["foster_carer_reviews_on_time_in_period"]
    assert "Adoption and Children Act 2002" in guidance["adoptions_in_period"]


# -- descriptions a reader of this repository can follow ----------------------------------------

def _outside_references(text: str) -> list[str]:
    """References to files outside the repository: the spec's sections, ../ links."""
    return re.findall(r"measures\.md §|extract-contract\.md|\]\((?:\.\./|/)[^)]*\)|\.\./shared", text)


def test_marts_descriptions_are_self_contained():
    found = defaultdict(list)
    for path in [*(paths.DBT_PROJECT_DIR / "models" / "marts").rglob("*.yml"),
                 paths.DBT_PROJECT_DIR / "seeds" / "_seeds.yml", paths.DBT_PROJECT_DIR / "seeds" / "_reference_seeds.yml"]:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        for node in doc.get("models", []) + doc.get("seeds", []):
            for text in [node.get("description", "")] + [c.get("description", "") for c in node.get("columns", [])]:
                if _outside_references(text):
                    found[path.name].append(text[:80])
    assert not found


def test_docs_measures_is_complete_on_its_own():
    text = (paths.PROJECT_ROOT / "docs" / "measures.md").read_text(encoding="utf-8")
    assert _outside_references(text) == []
    for link in re.findall(r"\]\(([^)#]+)", text):
        assert (paths.PROJECT_ROOT / "docs" / link).resolve().is_file(), link
    for column in ("breakdown_value_label", "published_value", "as_at_date"):
        assert f"`{column}`" in text
    for measure in MEASURES:
        assert measure.label in text and measure.guidance in text
