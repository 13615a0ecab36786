"""Write-audit-publish for the marts: a failure anywhere in the build, or a kill -9 during it or
during the switch, leaves every `marts` table exactly as last published; a reader never sees a mix;
the next good run publishes; loads are never left unfinished."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from datetime import date
from pathlib import Path

import psycopg
import pytest

from csc_pipeline import paths
from csc_pipeline.transform import dbt_runner, publication
from csc_pipeline.warehouse.fingerprint import schema_fingerprint
from warehouse_db import own_warehouse

LA = "E08999991"
LAST = date(2026, 11, 24)
DAY1, DAY2 = date(2026, 11, 23), LAST


def fingerprint(dsn: str) -> dict[str, str]:
    with psycopg.connect(dsn) as conn:
        return schema_fingerprint(conn, "marts")


def extract_dates(dsn: str) -> set[date]:
    with psycopg.connect(dsn) as conn:
        return {d for (d,) in conn.execute("select distinct source_extract_date from marts.performance_measures")}


@pytest.fixture(scope="module")
def wap(pg_server, tmp_path_factory):
    """A warehouse with night 1 published to the marts and night 2 loaded into raw (not yet built)."""
    from csc_pipeline.drops.finder import find_drops
    from csc_pipeline.flows import nightly
    from csc_pipeline.generate import generate_council

    base = Path(tmp_path_factory.mktemp("wap"))
    generate_council(base / "landing", la_code=LA, seed=5, children_looked_after=40, nights=2,
                     last_extract_date=LAST)
    with own_warehouse(pg_server.dsn(), "wap") as dsn, pytest.MonkeyPatch.context() as mp:
        mp.setenv("CSC_WAREHOUSE_DSN", dsn)
        mp.setenv("CSC_LANDING_ROOT", str(base / "landing"))
        mp.setenv("CSC_DATA_DOCS", "never")
        mp.setenv("CSC_STATE_DIR", str(base / "state"))
        for var in ("CSC_COUNCILS", "CSC_DEPLOYMENT_CONFIG", "CSC_LABEL_MAPPING_DIR"):
            mp.delenv(var, raising=False)
        drops = find_drops(base / "landing")
        for night in (DAY1, DAY2):
            landed = nightly.land([d.to_dict() for d in drops if d.extract_date == night], run_id=f"night {night}")
            assert [p["status"] for p in nightly.publish(nightly.validate(landed))] == ["published"]
            if night == DAY1:
                nightly.publish_marts(nightly.transform())
        yield dsn, base


@pytest.fixture(scope="module")
def published_before(wap):
    dsn, _ = wap
    assert extract_dates(dsn) == {DAY1}
    with psycopg.connect(dsn) as conn:
        assert publication.marts_behind_raw(conn)  # night 2 is in raw, not yet in the marts
    return fingerprint(dsn)


def _project_copy(tmp_path: Path) -> Path:
    project = tmp_path / "dbt_project"
    shutil.copytree(paths.DBT_PROJECT_DIR, project, ignore=shutil.ignore_patterns("target", "logs"))
    return project


def _build(dsn: str, project: Path, target: Path):
    with psycopg.connect(dsn, autocommit=True) as conn:
        publication.prepare_build(conn)
    return dbt_runner.build(dsn, marts_schema=publication.BUILD_SCHEMA, target_path=target, project_dir=project)


def test_the_last_model_failing_leaves_the_marts_as_published(wap, published_before, tmp_path):
    dsn, _ = wap
    project = _project_copy(tmp_path)
    model = project / "models" / "marts" / "performance_measures.sql"
    model.write_text(model.read_text() + "\n-- made to fail\nunion all select * from no_such_relation\n")
    with pytest.raises(dbt_runner.DbtBuildError) as err:
        _build(dsn, project, tmp_path / "target")
    assert err.value.failed == ["model.csc_reporting.performance_measures"]
    assert "model.csc_reporting.performance_measures failed" in str(err.value)
    assert "the published marts are unchanged" in str(err.value)
    assert (tmp_path / "target" / "run_results.json").is_file()  # kept where the message says
    assert fingerprint(dsn) == published_before


def test_a_failing_data_test_on_a_mart_leaves_the_marts_as_published(wap, published_before, tmp_path):
    dsn, _ = wap
    project = _project_copy(tmp_path)
    (project / "tests" / "assert_made_to_fail.sql").write_text(
        "-- a data test on a published mart that finds rows\nselect * from {{ ref('performance_measures') }}\n")
    with pytest.raises(dbt_runner.DbtBuildError) as err:
        _build(dsn, project, tmp_path / "target")
    assert err.value.failed == ["test.csc_reporting.assert_made_to_fail"]
    assert fingerprint(dsn) == published_before


def _night_process(dsn: str, base: Path, code: str) -> subprocess.Popen:
    env = {**os.environ, "CSC_WAREHOUSE_DSN": dsn, "CSC_STATE_DIR": str(base / "state"),
           "CSC_LANDING_ROOT": str(base / "landing"), "CSC_DATA_DOCS": "never"}
    return subprocess.Popen([sys.executable, "-c", code], env=env, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _wait_for(condition, seconds: float = 300, what: str = "") -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.2)


def _tables_in(dsn: str, schema: str) -> int:
    with psycopg.connect(dsn) as conn:
        return conn.execute("select count(*) from pg_tables where schemaname = %s", (schema,)).fetchone()[0]


def test_kill_9_during_the_build_leaves_the_marts_as_published(wap, published_before):
    dsn, base = wap
    from csc_pipeline.transform import build_plan

    proc = _night_process(dsn, base, "from csc_pipeline.flows import nightly; nightly.transform(full_refresh=False)")
    try:
        _wait_for(lambda: _building(dsn) or proc.poll() is not None, what="the build to start")
        time.sleep(3)  # into dbt's models
        assert proc.poll() is None, proc.stderr.read().decode()[-2000:]
    finally:
        os.killpg(proc.pid, signal.SIGKILL)  # the night and its dbt
        proc.wait()
    assert fingerprint(dsn) == published_before
    with psycopg.connect(dsn) as conn:
        assert publication.marts_behind_raw(conn)
        # Whatever the killed build had rebuilt, the next one trusts none of it: every council, whole.
        plan = build_plan.plan_build(conn, build_schema=publication.BUILD_SCHEMA)
        assert plan.full_refresh and plan.fresh_buffer and "did not finish" in plan.reason


def _building(dsn: str) -> bool:
    with psycopg.connect(dsn) as conn:
        return conn.execute("select count(*) from audit.build_state where not complete").fetchone()[0] > 0


def _lock_waiters(dsn: str) -> int:
    with psycopg.connect(dsn) as conn:
        return conn.execute("select count(*) from pg_stat_activity where datname = current_database()"
                            " and wait_event_type = 'Lock'").fetchone()[0]


def test_kill_9_during_the_switch_leaves_the_marts_as_published(wap, published_before):
    from csc_pipeline.flows import nightly

    dsn, base = wap
    built = nightly.transform()  # a complete build, waiting to be switched in
    # Hold the publication record's lock: the switch stops inside its transaction, after the renames.
    with psycopg.connect(dsn, autocommit=True) as holder:
        holder.execute("select pg_advisory_lock(hashtext('csc_publication_history'))")
        proc = _night_process(dsn, base, "import json; from csc_pipeline.flows import nightly; "
                                         f"nightly.publish_marts(json.loads({json.dumps(json.dumps(built))}))")
        try:
            _wait_for(lambda: _lock_waiters(dsn) > 0 or proc.poll() is not None, what="the switch to stop")
            assert proc.poll() is None, proc.stderr.read().decode()[-2000:]
        finally:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        holder.execute("select pg_advisory_unlock(hashtext('csc_publication_history'))")
    _wait_for(lambda: _lock_waiters(dsn) == 0, seconds=60, what="the killed switch's session to end")
    assert fingerprint(dsn) == published_before
    assert _tables_in(dsn, publication.BUILD_SCHEMA) > 0  # the build is still there to switch in


def test_a_reader_across_the_switch_sees_one_publication_then_the_next_run_publishes(wap, published_before):
    from csc_pipeline.flows import nightly

    dsn, base = wap
    built = {"through_load_id": None}
    with psycopg.connect(dsn) as conn:
        built["through_load_id"] = publication.last_good_load(conn)
    results: dict = {}
    other = "marts.fct_cla_at_period_end"
    with psycopg.connect(dsn) as conn:
        yesterdays = conn.execute("select %s::regclass::oid", (other,)).fetchone()[0]
    with psycopg.connect(dsn) as reader:
        first = reader.execute("select max(source_extract_date) from marts.performance_measures").fetchone()[0]
        switch = threading.Thread(target=lambda: results.update(summary=nightly.publish_marts(built)))
        switch.start()
        time.sleep(3)  # the switch tries, finds yesterday's marts being read, and tries again
        assert switch.is_alive() and _lock_waiters(dsn) == 0  # it keeps nobody waiting
        # Still inside its transaction, the reader's next statement reads yesterday's table too.
        read = reader.execute("select %s::regclass::oid", (other,)).fetchone()[0]
        reader.execute(f"select count(*) from {other}").fetchone()
        reader.commit()
    switch.join(timeout=120)
    assert first == DAY1 and read == yesterdays
    with psycopg.connect(dsn) as conn:  # a transaction after the switch reads tonight's
        assert conn.execute("select %s::regclass::oid", (other,)).fetchone()[0] != yesterdays
    assert results["summary"][LA]["source_extract_date"] == DAY2.isoformat()
    assert extract_dates(dsn) == {DAY2} and fingerprint(dsn) != published_before
    with psycopg.connect(dsn) as conn:
        assert not publication.marts_behind_raw(conn)
        through = conn.execute("select through_load_id from audit.publications order by publication_id desc"
                               " limit 1").fetchone()[0]
        assert through == built["through_load_id"]
        # The build became the marts; yesterday's marts are the next night's build buffer.
        assert conn.execute("select to_regnamespace(%s)", (publication.PREVIOUS_SCHEMA,)).fetchone()[0] is None
        assert conn.execute("select %s::regclass::oid", (f"{publication.BUILD_SCHEMA}.{other.split('.')[1]}",)
                            ).fetchone()[0] == yesterdays
        # The BI role reads the switched-in marts.
        conn.execute("alter role csc_bi password 'bi-test-password'")
        conn.commit()
    info = psycopg.conninfo.conninfo_to_dict(dsn)
    bi = f"postgresql://csc_bi:bi-test-password@{info['host']}:{info['port']}/{info['dbname']}"
    with psycopg.connect(bi) as conn:
        assert conn.execute("select count(*) from marts.performance_measures").fetchone()[0] > 0
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("select 1 from raw.ssd_person limit 1")
    with psycopg.connect(bi) as conn:  # nor the buffer, although its tables were published yesterday
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(f"select 1 from {publication.BUILD_SCHEMA}.performance_measures limit 1")


def test_loads_left_unfinished_by_a_killed_run_are_ended_and_taken_again(wap):
    from csc_pipeline.drops.finder import find_drops
    from csc_pipeline.load import audit

    dsn, base = wap
    with psycopg.connect(dsn, autocommit=True) as conn:
        (drop,) = [d for d in find_drops(base / "landing") if d.extract_date == DAY2]
        stuck = audit.start_load(conn, drop, drop.manifest, run_id="a run that was killed")
        assert audit.fail_interrupted_loads(conn, "tonight's run") == 1
        status, message = conn.execute("select status, message from audit.loads where load_id = %s",
                                       (stuck,)).fetchone()
        assert status == "failed" and "interrupted" in message
        assert audit.fail_interrupted_loads(conn, "tonight's run") == 0
