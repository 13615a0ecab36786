"""Quarantine: a drop that failed validation is kept for review, never published.

Its landed tables move to the `quarantine` schema (named `load_<id>__<table>`),
its validation report stays in audit.validation_results, and the loaded tables
and marts keep serving the last good data. An operator who accepts the drop
after review (`csc accept`, flows/accept.py) moves its tables back into a
landing schema with `restore_from_quarantine`, then validates and publishes it.
"""

from __future__ import annotations

import psycopg
from psycopg import sql

from csc_pipeline.drops.finder import Drop
from csc_pipeline.drops.manifest import sha256_of
from csc_pipeline.contract import TABLES_BY_NAME
from csc_pipeline.contract.loaded import LOAD_COLUMNS

from . import audit
from .copy_in import LandedDrop, landed_columns

_PREFIX = "load_{}__"


def quarantined_table_name(load_id: int, table: str) -> str:
    """The name a quarantined load's table is kept under in the `quarantine` schema."""
    return _PREFIX.format(load_id) + table


def quarantine_drop(conn: psycopg.Connection, landed: LandedDrop, summary: str) -> None:
    with conn.transaction():
        move_to_quarantine(conn, landed.schema, landed.load_id)
        audit.set_status(conn, landed.load_id, audit.LoadStatus.QUARANTINED, summary)


def move_to_quarantine(conn: psycopg.Connection, schema: str, load_id: int) -> None:
    """Move every table of a landing schema to `quarantine.load_<id>__<table>`; drop the schema."""
    with conn.transaction():
        if not conn.execute("select 1 from pg_namespace where nspname = %s", (schema,)).fetchone():
            return
        tables = [r[0] for r in conn.execute("select tablename from pg_tables where schemaname = %s", (schema,))]
        numbered = {r[0] for r in conn.execute(
            "select table_name from information_schema.columns where table_schema = %s"
            " and column_name = 'source_row' and is_identity = 'YES'", (schema,))}
        for table in tables:
            moved = quarantined_table_name(load_id, table)
            if table in numbered:
                # The record-number sequence would move too, under its old name, and collide with the
                # next quarantined drop's; the numbers themselves stay.
                conn.execute(sql.SQL("alter table {} alter column source_row drop identity").format(
                    sql.Identifier(schema, table)))
            conn.execute(sql.SQL("drop table if exists {}").format(sql.Identifier("quarantine", moved)))
            conn.execute(sql.SQL("alter table {} rename to {}").format(
                sql.Identifier(schema, table), sql.Identifier(moved)))
            conn.execute(sql.SQL("alter table {} set schema quarantine").format(sql.Identifier(schema, moved)))
        conn.execute(sql.SQL("drop schema {} cascade").format(sql.Identifier(schema)))


def quarantined_tables(conn: psycopg.Connection, load_id: int) -> list[str]:
    """The tables a quarantined load kept (names as landed)."""
    prefix = _PREFIX.format(load_id)
    return [r[0][len(prefix):] for r in conn.execute(
        "select tablename from pg_tables where schemaname = 'quarantine' and starts_with(tablename, %s)"
        " order by 1", (prefix,))]


def restore_from_quarantine(conn: psycopg.Connection, load_id: int, schema: str) -> list[str]:
    """Move a quarantined load's tables back into the (new) landing schema `schema`; returns them."""
    with conn.transaction():
        if conn.execute("select 1 from pg_namespace where nspname = %s", (schema,)).fetchone():
            raise RuntimeError(f"landing schema {schema} exists: another drop for that council and date is "
                               "being loaded; try again once it has finished")
        tables = quarantined_tables(conn, load_id)
        conn.execute(sql.SQL("create schema {}").format(sql.Identifier(schema)))
        for table in tables:
            kept = quarantined_table_name(load_id, table)
            conn.execute(sql.SQL("alter table {} set schema {}").format(
                sql.Identifier("quarantine", kept), sql.Identifier(schema)))
            conn.execute(sql.SQL("alter table {} rename to {}").format(
                sql.Identifier(schema, kept), sql.Identifier(table)))
    return tables


def restored_drop(conn: psycopg.Connection, drop: Drop, load_id: int) -> LandedDrop:
    """Move a quarantined load back into its landing schema; return it as landed: the file columns
    and row counts of its tables, and the checksums of the files as they are now."""
    tables = restore_from_quarantine(conn, load_id, drop.landing_schema)
    landed = LandedDrop(drop, load_id, drop.landing_schema)
    known = [t for t in tables if t in TABLES_BY_NAME]
    for table, columns in landed_columns(conn, landed.schema, known).items():
        landed.tables[table] = [c for c in columns if c not in LOAD_COLUMNS]
        landed.row_counts[table] = conn.execute(
            sql.SQL("select count(*) from {}").format(sql.Identifier(landed.schema, table))).fetchone()[0]
        path = drop.path / f"{table}.csv"
        if path.is_file():
            landed.sha256[table] = sha256_of(path)
    return landed
