"""A drop of any extract date is processed: a council's archive dated 2014, through the real
csc_nightly DAG (dag.test) on an empty warehouse of its own; and a run that processes
nothing for a pending drop fails loudly instead of reporting success (issue 11, item 1).

Airflow creates no task instances for a DAG run whose logical date is before the DAG's
start_date and marks the empty run successful at once (stack-facts: Airflow replays).
"""

from __future__ import annotations

from datetime import date

import psycopg
import pytest

from drop_factory import read_table, write_drop
from test_end_to_end import _looked_after_on
from warehouse_db import own_warehouse

pytestmark = pytest.mark.e2e

LA = "E06999997"
EXTRACT = date(2014, 4, 1)


@pytest.fixture(scope="module")
def history_run(airflow_ready, pg_server, tmp_path_factory):
    from csc_pipeline.generate import generate_council
    from csc_pipeline.flows.airflow_runner import load_dag, run_night

    landing = tmp_path_factory.mktemp("history-landing")
    generate_council(landing, la_code=LA, seed=5, children_looked_after=30, nights=1, last_extract_date=EXTRACT)
    with own_warehouse(pg_server.dsn(), "history") as dsn, pytest.MonkeyPatch.context() as mp:
        mp.setenv("CSC_WAREHOUSE_DSN", dsn)
        mp.setenv("CSC_LANDING_ROOT", str(landing))
        mp.delenv("CSC_COUNCILS", raising=False)
        state = run_night(load_dag(), EXTRACT)
        with psycopg.connect(dsn) as conn:
            loads = conn.execute("select la_code, extract_date, status from audit.loads").fetchall()
            if conn.execute("select to_regclass('marts.performance_measures')").fetchone()[0] is None:
                return {"state": state, "loads": loads, "year": None, "periods": 0, "landing": landing}
            year = conn.execute(
                "select period_end, as_at_date, is_complete, value, source_extract_date"
                " from marts.performance_measures where la_code = %s and measure_id = 'cla_at_period_end'"
                " and breakdown = 'total' and period_label = '2013-14'", (LA,)).fetchone()
            periods = conn.execute("select count(distinct (period_type, period_label)) from marts.performance_measures"
                                   " where la_code = %s", (LA,)).fetchone()[0]
    return {"state": state, "loads": loads, "year": year, "periods": periods, "landing": landing}


def test_a_2014_drop_is_processed_end_to_end(history_run):
    assert history_run["state"] == "success"
    assert history_run["loads"] == [(LA, EXTRACT, "published")]
    period_end, as_at_date, complete, value, source = history_run["year"]
    assert (period_end, as_at_date, complete, source) == (date(2014, 3, 31), date(2014, 3, 31), True, EXTRACT)
    folder = history_run["landing"] / LA / EXTRACT.isoformat()
    episodes, legal = read_table(folder, "ssd_cla_episodes")[1], read_table(folder, "ssd_legal_status")[1]
    expected = _looked_after_on(episodes, legal, date(2014, 3, 31), read_table(folder, "ssd_person")[1])
    assert value == len(expected) and value >= 15
    assert history_run["periods"] >= 6 * 5  # the window's six years, each with its quarters


def test_a_run_that_processes_nothing_for_a_pending_drop_fails(airflow_ready, pg_server, tmp_path):
    """A drop dated before the DAG's start_date gets a DAG run with no tasks: run_night says so."""
    from csc_pipeline.flows.airflow_runner import DagRunFailed, load_dag, run_night

    dag = load_dag()
    too_early = date(dag.start_date.year - 1, 6, 1)
    write_drop(tmp_path, LA, too_early, {"ssd_person": [{"pers_person_id": "1"}]})
    with own_warehouse(pg_server.dsn(), "nothing") as dsn, pytest.MonkeyPatch.context() as mp:
        mp.setenv("CSC_WAREHOUSE_DSN", dsn)
        mp.setenv("CSC_LANDING_ROOT", str(tmp_path))
        with pytest.raises(DagRunFailed, match="ran no task") as failure:
            run_night(dag, too_early)
        with psycopg.connect(dsn) as conn:
            assert conn.execute("select count(*) from audit.loads").fetchone()[0] == 0
    assert f"{LA}/{too_early}" in str(failure.value)
