"""A warehouse database of a test's own on the session's test server."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator

import psycopg

from csc_pipeline.warehouse import schema
from csc_pipeline.warehouse.connection import with_database


@contextlib.contextmanager
def own_warehouse(server_dsn: str, prefix: str) -> Iterator[str]:
    """Create and initialise a new database on the server of `server_dsn`; drop it afterwards."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = with_database(server_dsn, "postgres")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'create database "{name}"')
    dsn = with_database(server_dsn, name)
    with psycopg.connect(dsn) as conn:
        schema.initialise(conn)
    try:
        yield dsn
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'drop database "{name}" with (force)')


def query_rows(dsn: str, query: str, params=()) -> list[tuple]:
    """All rows of one query, on a connection of its own."""
    with psycopg.connect(dsn) as conn:
        return conn.execute(query, params).fetchall()
