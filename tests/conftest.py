"""Shared fixtures: every test session starts its own throwaway PostgreSQL.

Tests never touch a server named by CSC_WAREHOUSE_DSN: it is removed from the
environment before anything runs, and the state folder points at a temporary one.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import psycopg
import pytest

# Before any project import reads them.
os.environ.pop("CSC_WAREHOUSE_DSN", None)
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

TEST_PSEUDONYM_KEY = "test-only-pseudonym-key-0123456789abcdef"


@pytest.fixture(scope="session")
def state_dir() -> Path:
    # Not pytest's tmp_path: that is private to root (0700), and the server runs as `postgres`.
    path = Path(tempfile.mkdtemp(prefix="csc-test-state-"))
    path.chmod(0o755)
    os.environ["CSC_STATE_DIR"] = str(path)
    os.environ["CSC_PSEUDONYM_KEY"] = TEST_PSEUDONYM_KEY
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="session")
def pg_server(state_dir):
    from csc_pipeline.warehouse.local_server import LocalServer

    server = LocalServer(state_dir / "postgres")
    server.start(for_tests=True)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def warehouse_dsn(pg_server) -> str:
    """The test server's warehouse database, initialised (schemas, audit, raw tables, key)."""
    from csc_pipeline.warehouse import schema

    dsn = pg_server.dsn()
    with psycopg.connect(dsn) as conn:
        schema.initialise(conn)
    return dsn


@pytest.fixture()
def fresh_database(pg_server):
    """A new, initialised database for tests that need an empty warehouse."""
    from warehouse_db import own_warehouse

    with own_warehouse(pg_server.dsn(), "t") as dsn:
        yield dsn


@pytest.fixture(scope="session")
def airflow_ready(warehouse_dsn, state_dir):
    """Airflow configured against the test server (metadata DB `airflow`) and migrated."""
    from airflow_support import prepare_airflow

    prepare_airflow(warehouse_dsn, state_dir)
    yield state_dir / "airflow"
    # Close Airflow's pooled connections before the test server stops.
    from airflow import settings as airflow_settings

    airflow_settings.dispose_orm()
