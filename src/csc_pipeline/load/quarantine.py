"""Quarantine: a drop that failed validation is kept for review, never published.

Its landed tables move to the `quarantine` schema (named `load_<id>__<table>`),
its validation report stays in audit.validation_results, and the loaded tables
and marts keep serving the last good data.
"""

from __future__ import annotations

import psycopg
from psycopg import sql

from . import audit
from .land import LandedDrop


def quarantine_drop(conn: psycopg.Connection, landed: LandedDrop, summary: str) -> None:
    with conn.transaction():
        schema_exists = conn.execute(
            "select 1 from pg_namespace where nspname = %s", (landed.schema,)
        ).fetchone()
        if schema_exists:
            tables = [r[0] for r in conn.execute(
                "select tablename from pg_tables where schemaname = %s", (landed.schema,))]
            for table in tables:
                moved = f"load_{landed.load_id}__{table}"
                conn.execute(sql.SQL("drop table if exists {}").format(sql.Identifier("quarantine", moved)))
                conn.execute(sql.SQL("alter table {} rename to {}").format(
                    sql.Identifier(landed.schema, table), sql.Identifier(moved)))
                conn.execute(sql.SQL("alter table {} set schema quarantine").format(
                    sql.Identifier(landed.schema, moved)))
            conn.execute(sql.SQL("drop schema {} cascade").format(sql.Identifier(landed.schema)))
        audit.set_status(conn, landed.load_id, "quarantined", summary)
