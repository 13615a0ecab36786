"""Airflow's metadata database on an existing server: created when our login may, else one line."""

from __future__ import annotations

import uuid

import psycopg
import pytest

from csc_pipeline.warehouse.connection import with_database
from csc_pipeline.warehouse.metadata_db import MetadataDbUnavailable, ensure_metadata_db


def test_a_missing_metadata_database_is_created_when_the_login_may_and_only_its_owner_connects(pg_server):
    name = f"airflow_{uuid.uuid4().hex[:8]}"
    reader, password = f"bi_{name}", "not-a-real-secret-2"
    dsn = with_database(pg_server.dsn(), name)
    try:
        assert ensure_metadata_db(dsn) == "created"
        assert ensure_metadata_db(dsn) == "present"
        with psycopg.connect(dsn) as conn:
            assert conn.execute("select current_database()").fetchone()[0] == name
        # a BI login on the same server cannot even connect to it (PostgreSQL lets PUBLIC by default)
        with psycopg.connect(pg_server.dsn(), autocommit=True) as conn:
            conn.execute(f"create role {reader} login password '{password}'")
        server = psycopg.conninfo.conninfo_to_dict(pg_server.dsn())
        with pytest.raises(psycopg.OperationalError, match="permission denied for database"):
            psycopg.connect(f"postgresql://{reader}:{password}@{server['host']}:{server['port']}/{name}")
        psycopg.connect(f"postgresql://{reader}:{password}@{server['host']}:{server['port']}/"
                        f"{server['dbname']}").close()  # the warehouse it may
    finally:
        with psycopg.connect(with_database(pg_server.dsn(), "postgres"), autocommit=True) as conn:
            conn.execute(f'drop database if exists "{name}"')
            conn.execute(f"drop role if exists {reader}")


def test_a_login_that_cannot_create_it_gets_one_line_saying_what_to_do(pg_server):
    role, password = f"nocreate_{uuid.uuid4().hex[:8]}", "not-a-real-secret-1"
    admin = with_database(pg_server.dsn(), "postgres")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"create role {role} login nocreatedb password '{password}'")
    server = psycopg.conninfo.conninfo_to_dict(pg_server.dsn())
    dsn = f"postgresql://{role}:{password}@{server['host']}:{server['port']}/airflow_missing_{role[-8:]}"
    try:
        with pytest.raises(MetadataDbUnavailable) as failure:
            ensure_metadata_db(dsn)
        message = str(failure.value)
        assert "\n" not in message
        assert f"createdb -O {role} airflow_missing_{role[-8:]}" in message
        assert "CSC_AIRFLOW_DB_DSN" in message
        assert password not in message  # the DSN is shown redacted
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f"drop role {role}")
