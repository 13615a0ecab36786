"""Airflow for tests: its metadata DB on the test server, configured before airflow is imported."""

from __future__ import annotations

from pathlib import Path


def prepare_airflow(warehouse_dsn: str, state_dir: Path):
    from csc_pipeline.flows.airflow_runner import configure_airflow, migrate_airflow_db

    configure_airflow(warehouse_dsn, airflow_home=state_dir / "airflow")
    migrate_airflow_db()
