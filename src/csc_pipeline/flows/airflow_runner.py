"""Running the real `csc_nightly` DAG through Airflow itself (`dag.test()`).

`csc run` and the end-to-end tests use this, so a replayed night runs exactly
the code a scheduled run does. Airflow reads its configuration when first
imported, so `configure_airflow` must run before anything imports airflow.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import warnings
from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

from csc_pipeline import paths
from csc_pipeline.deployment import Deployment
from csc_pipeline.warehouse import connection, metadata_db

DAG_ID = "csc_nightly"
SCHEDULED_AT = time(5, 30)
# The tasks that fail, by design, when a drop is quarantined (the other councils still publish).
QUARANTINE_TASKS = {"council.validate_drops", "night_summary"}
QUARANTINED = "quarantined"


class DagRunFailed(RuntimeError):
    pass


def configure_airflow(config: Deployment, *, airflow_home: Path | None = None, quiet: bool = False) -> dict[str, str]:
    """Configure Airflow itself, in this process, for a metadata DB of its own (the deployment's
    airflow_db_dsn, else the database `airflow` on the warehouse server).

    Airflow reads its configuration from AIRFLOW_* variables when first imported, so they are set
    here, before any import of airflow; the pipeline's own settings never travel that way (the
    tasks read `deployment.current()`)."""
    home = airflow_home or config.state_dir / "airflow"
    home.mkdir(parents=True, exist_ok=True)
    secret_file = home / "jwt_secret"
    if not secret_file.exists():
        secret_file.write_text(secrets.token_hex(32))
        os.chmod(secret_file, 0o600)
    metadata_url = connection.sqlalchemy_url(connection.airflow_metadata_dsn(config))
    env = {
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(paths.DAGS_DIR),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": metadata_url,
        # psycopg 3 is async-capable too, so Airflow needs no asyncpg.
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN_ASYNC": metadata_url,
        "AIRFLOW__API_AUTH__JWT_SECRET": secret_file.read_text().strip(),
        "AIRFLOW__CORE__UNIT_TEST_MODE": "False",
    }
    if quiet:  # Airflow's task logs stay in its log folder; the terminal gets one line per drop
        env["AIRFLOW__LOGGING__LOGGING_LEVEL"] = os.environ.get("AIRFLOW__LOGGING__LOGGING_LEVEL", "WARNING")
    os.environ.update(env)
    # Airflow's in-process test client imports a deprecated starlette helper: not the user's concern.
    warnings.filterwarnings("ignore", message=".*starlette.testclient.*")
    return env


def migrate_airflow_db(metadata_dsn: str | None = None) -> None:
    """`airflow db migrate` (idempotent, a few seconds), after creating the database when it is
    missing and our login may (`metadata_db.ensure_metadata_db` says what to do when it may not)."""
    if metadata_dsn:
        metadata_db.ensure_metadata_db(metadata_dsn)
    airflow = Path(sys.executable).with_name("airflow")
    result = subprocess.run([str(airflow), "db", "migrate"], capture_output=True, text=True, env=os.environ.copy())
    if result.returncode != 0:
        # Airflow prints a long traceback; its last line is the cause.
        last = next((line for line in reversed(result.stderr.splitlines()) if line.strip()), "no output")
        raise DagRunFailed(f"airflow db migrate failed: {last.strip()[:300]}")


def load_dag():
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(paths.DAGS_DIR))
    if bag.import_errors:
        raise DagRunFailed(f"DAG import errors: {bag.import_errors}")
    return bag.dags[DAG_ID]


def run_night(dag, extract_date: date, *, up_to_param: bool = True) -> str:
    """One DAG run as the scheduler would start it on that night, processing drops up to that date.

    Returns "success", or "quarantined" when the run failed only because drops were quarantined
    (their councils' validate tasks and the night's summary failed; every other council published).
    A run that processed nothing while drops up to that date are pending fails (DagRunFailed),
    even when Airflow calls it a success: Airflow gives a run dated before the DAG's start_date
    no tasks at all and marks it successful. `up_to_param=False` runs it as a scheduled or backfill
    run does, its logical date alone choosing the drops."""
    logical = datetime.combine(extract_date, SCHEDULED_AT, tzinfo=ZoneInfo("Europe/London"))
    pending = _pending_up_to(extract_date)
    dag_run = dag.test(logical_date=logical, run_conf={"up_to": extract_date.isoformat()} if up_to_param else {})
    state = str(getattr(dag_run.state, "value", dag_run.state))
    if state != "success":
        states = {ti.task_id: str(getattr(ti.state, "value", ti.state)) for ti in dag_run.get_task_instances()}
        failed = sorted({t for t, st in states.items() if st == "failed"})
        if failed and set(failed) <= QUARANTINE_TASKS and states.get("publish_marts") == "success":
            return QUARANTINED
        raise DagRunFailed(f"{DAG_ID} run for {extract_date} ended {state}" + (f"; failed: {failed}" if failed else ""))
    left = _pending_up_to(extract_date) if pending else []
    if pending and (not dag_run.get_task_instances() or left):
        names = ", ".join(f"{d.la_code}/{d.extract_date}" for d in (left or pending))
        ran = "ran no task (is its logical date before the DAG's start_date?)" if not dag_run.get_task_instances() \
            else "finished"
        raise DagRunFailed(f"{DAG_ID} run for {extract_date} {ran} but these drops are still pending: {names}")
    return state


def _pending_up_to(extract_date: date) -> list:
    """The drops of the landing root up to that date the warehouse has not finished with."""
    import psycopg

    from csc_pipeline import deployment
    from csc_pipeline.drops.finder import find_drops
    from csc_pipeline.load.audit import pending_drops

    config = deployment.current()
    drops = find_drops(config.landing_root, up_to=extract_date)
    with connection.connect(connection.warehouse_dsn(config)) as conn:
        try:
            return pending_drops(conn, drops)
        except psycopg.errors.UndefinedTable:  # a warehouse not yet initialised has processed nothing
            return drops
