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
from csc_pipeline.warehouse import connection

DAG_ID = "csc_nightly"
SCHEDULED_AT = time(5, 30)


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


def migrate_airflow_db() -> None:
    """`airflow db migrate` (idempotent, a few seconds)."""
    airflow = Path(sys.executable).with_name("airflow")
    result = subprocess.run([str(airflow), "db", "migrate"], capture_output=True, text=True, env=os.environ.copy())
    if result.returncode != 0:
        raise DagRunFailed(f"airflow db migrate failed:\n{result.stderr[-3000:]}")


def load_dag():
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(paths.DAGS_DIR))
    if bag.import_errors:
        raise DagRunFailed(f"DAG import errors: {bag.import_errors}")
    return bag.dags[DAG_ID]


def run_night(dag, extract_date: date) -> str:
    """One DAG run as the scheduler would start it on that night, processing drops up to that date."""
    logical = datetime.combine(extract_date, SCHEDULED_AT, tzinfo=ZoneInfo("Europe/London"))
    dag_run = dag.test(logical_date=logical, run_conf={"up_to": extract_date.isoformat()})
    state = str(getattr(dag_run.state, "value", dag_run.state))
    if state != "success":
        failed = [ti.task_id for ti in dag_run.get_task_instances()
                  if str(getattr(ti.state, "value", ti.state)) == "failed"]
        raise DagRunFailed(f"{DAG_ID} run for {extract_date} ended {state}" + (f"; failed: {failed}" if failed else ""))
    return state
