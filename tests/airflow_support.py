"""Airflow for tests: its metadata DB on the test server, configured before airflow is imported."""

from __future__ import annotations

import os
from pathlib import Path


def prepare_airflow(warehouse_dsn: str, state_dir: Path):
    from csc_pipeline import deployment
    from csc_pipeline.flows.airflow_runner import configure_airflow, migrate_airflow_db

    # The tests' own environment names the test server, as a deployment's would.
    os.environ["CSC_WAREHOUSE_DSN"] = warehouse_dsn
    configure_airflow(deployment.load(), airflow_home=state_dir / "airflow")
    migrate_airflow_db()
