"""A second PostgreSQL database on the test server standing in for a council's SSD reporting
database: the contract's tables typed as the SSD's SQL Server scripts type them
(csc_pipeline.extract.ssd_schema), filled from a drop's CSVs. Its collation is linguistic
(ICU en-GB, as a council's database would be), unlike the test server's C: the extract must
not depend on it."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg

from csc_pipeline.extract.ssd_schema import SCHEMA, create_tables, load_drop
from csc_pipeline.warehouse.connection import with_database

__all__ = ["SCHEMA", "source_database"]


@contextlib.contextmanager
def source_database(server_dsn: str, drop: Path | None = None, *, prefix: str = "ssd_src") -> Iterator[str]:
    """A new database on the test server with the SSD tables (filled from `drop` if given); dropped after."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = with_database(server_dsn, "postgres")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'create database "{name}" template template0 locale_provider icu icu_locale \'en-GB\''
                     " locale 'C.UTF-8'")
    dsn = with_database(server_dsn, name)
    try:
        with psycopg.connect(dsn) as conn:
            create_tables(conn)
            if drop is not None:
                load_drop(conn, drop)
        yield dsn
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'drop database "{name}" with (force)')
