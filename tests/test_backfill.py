"""Backfills and re-runs (issue 13, item 5): a run for logical date D takes the pending drops
dated on or before D, so a backfill over nights whose drops are all pending processes each night
in its own run; the same night twice, and a run for a night already loaded, change nothing. Every
published row ends identical to the plain nightly sequence (each drop arriving before its night).

Runs go through the real csc_nightly DAG (dag.test) as scheduled runs do: no `up_to` parameter,
the logical date alone choosing the drops.
"""

from __future__ import annotations

import shutil
from datetime import date, timedelta

import psycopg
import pytest

from warehouse_db import own_warehouse

pytestmark = pytest.mark.e2e

LA = "E06000950"
LAST = date(2026, 11, 24)
NIGHTS = (LAST - timedelta(days=1), LAST)


def _published(dsn: str) -> dict[str, str]:
    from csc_pipeline.warehouse.fingerprint import schema_fingerprint

    with psycopg.connect(dsn) as conn:
        return schema_fingerprint(conn, "marts")


def _loaded_by(dsn: str) -> dict[date, str]:
    with psycopg.connect(dsn) as conn:
        return dict(conn.execute("select extract_date, run_id from audit.loads where la_code = %s", (LA,)).fetchall())


@pytest.fixture(scope="module")
def runs(airflow_ready, pg_server, tmp_path_factory):
    from csc_pipeline.flows.airflow_runner import load_dag, run_night
    from csc_pipeline.generate import generate_council

    base = tmp_path_factory.mktemp("backfill")
    generate_council(base / "all", la_code=LA, seed=13, children_looked_after=40, nights=len(NIGHTS),
                     last_extract_date=LAST, years=4)
    dag = load_dag()
    out = {}
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("CSC_COUNCILS", raising=False)
        mp.setenv("CSC_DATA_DOCS", "never")
        # The plain sequence: each night's drop arrives, then that night's scheduled run.
        with own_warehouse(pg_server.dsn(), "plain") as dsn:
            mp.setenv("CSC_WAREHOUSE_DSN", dsn)
            mp.setenv("CSC_LANDING_ROOT", str(base / "plain"))
            for night in NIGHTS:
                shutil.copytree(base / "all" / LA / night.isoformat(), base / "plain" / LA / night.isoformat())
                assert run_night(dag, night, up_to_param=False) == "success"
            out["plain"] = _published(dsn)
        # A backfill over both nights with both drops pending, then the last night again, then
        # the first night again (its drop long loaded, a newer one published since).
        with own_warehouse(pg_server.dsn(), "backfill") as dsn:
            mp.setenv("CSC_WAREHOUSE_DSN", dsn)
            mp.setenv("CSC_LANDING_ROOT", str(base / "all"))
            loaded = {}
            for night in NIGHTS:
                assert run_night(dag, night, up_to_param=False) == "success"
                loaded[night] = set(_loaded_by(dsn)) - set().union(*loaded.values())
            out["each_night_its_own"] = loaded
            out["backfill"] = _published(dsn)
            before = _loaded_by(dsn)
            assert run_night(dag, LAST, up_to_param=False) == "success"
            out["twice"] = _published(dsn)
            assert run_night(dag, NIGHTS[0], up_to_param=False) == "success"
            out["over_loaded"] = _published(dsn)
            out["loads_unchanged"] = _loaded_by(dsn) == before
    return out


def test_a_backfill_processes_each_night_in_its_own_run(runs):
    assert runs["each_night_its_own"] == {night: {night} for night in NIGHTS}


def test_a_backfill_publishes_what_the_plain_sequence_does(runs):
    assert runs["plain"] and runs["backfill"] == runs["plain"]


def test_the_same_night_twice_changes_nothing(runs):
    assert runs["twice"] == runs["plain"]


def test_a_run_over_a_night_already_loaded_changes_nothing(runs):
    assert runs["over_loaded"] == runs["plain"]
    assert runs["loads_unchanged"]
