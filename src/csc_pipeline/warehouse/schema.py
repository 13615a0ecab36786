"""Creates and updates the warehouse's own objects.

The hand-written DDL in sql/ (schemas, audit, pseudonyms, roles) is applied in
file-name order; the loaded tables in `raw` are derived from the contract.
Everything here is idempotent, so it runs at every `csc warehouse init` and at
the start of every nightly run.
"""

from __future__ import annotations

import os
import secrets

import psycopg
from psycopg import sql

from csc_pipeline import deployment
from csc_pipeline.deployment import ENV_PSEUDONYM_KEY, ENV_WAREHOUSE_DSN, Deployment
from csc_pipeline.paths import SQL_DIR
from csc_pipeline.contract import TABLES, Table
from csc_pipeline.contract.loaded import LOAD_COLUMN_DEFS

from . import roles



class PseudonymKeyError(RuntimeError):
    pass


def raw_table_ddl(table: Table) -> sql.Composed:
    """`raw.<table>`: one council's last good snapshot, every contract column as text.

    Columns stay text here (parsed in dbt staging) so that no cast error can
    echo a child's data into a log.
    """
    load = {c.landed: [] for c in LOAD_COLUMN_DEFS}
    for c in LOAD_COLUMN_DEFS:  # landed ones before the contract's columns, row_hash after
        load[c.landed].append(sql.SQL("{} {} not null").format(sql.Identifier(c.name), sql.SQL(c.sql_type)))
    cols = [*load[True], *[sql.SQL("{} text").format(sql.Identifier(c)) for c in table.column_names], *load[False]]
    return sql.SQL("create table if not exists raw.{} ({}, primary key (la_code, {}))").format(
        sql.Identifier(table.name), sql.SQL(", ").join(cols), sql.Identifier(table.primary_key.name)
    )


# Why a version left the snapshot: corrected (same id, new values); emptied (same id, but a
# column missing from the file took away its values); deleted; aged_out of the six-year window.
ENDED_BECAUSE = ("corrected", "emptied", "deleted", "aged_out")


def history_table_ddl(table: Table) -> sql.Composed:
    """`history.<table>`: every version of every loaded row, valid from the extract it first appeared in
    until the extract it left (NULL while current), and why it left (ENDED_BECAUSE)."""
    cols = [
        sql.SQL("la_code text not null"),
        sql.SQL("record_id text"),
        *[sql.SQL("{} text").format(sql.Identifier(c)) for c in table.column_names],
        sql.SQL("row_hash text not null"),
        sql.SQL("valid_from date not null"),
        sql.SQL("valid_to date"),
        sql.SQL("ended_because text"),
    ]
    return sql.SQL("create table if not exists history.{} ({})").format(
        sql.Identifier(table.name), sql.SQL(", ").join(cols))


def set_ended_because_check(conn: psycopg.Connection, table: Table) -> None:
    """(Re)state the reasons a version may end, on tables made before a reason was added."""
    name = sql.Identifier(f"{table.name}_ended_because_check")
    conn.execute(sql.SQL("alter table {t} drop constraint if exists {c}, add constraint {c} check (ended_because in ({r}))")
                 .format(t=sql.Identifier("history", table.name), c=name,
                         r=sql.SQL(", ").join(map(sql.Literal, ENDED_BECAUSE))))


def add_missing_columns(conn: psycopg.Connection, table: Table) -> None:
    """A column added to the contract is added to the loaded and history tables (contracts change by adding)."""
    for schema_name in ("raw", "history"):
        for column in table.column_names:
            conn.execute(
                sql.SQL("alter table {} add column if not exists {} text").format(
                    sql.Identifier(schema_name, table.name), sql.Identifier(column)
                )
            )


def pseudonym_key(config: Deployment) -> bytes:
    """The per-deployment HMAC secret: the configured one, or, for the project's own local
    warehouse only, one generated once into the state folder."""
    if config.pseudonym_key:
        return config.pseudonym_key.encode()
    from .connection import is_local_warehouse

    if not is_local_warehouse(config):
        raise PseudonymKeyError(
            f"{ENV_PSEUDONYM_KEY} is not set. A warehouse named by {ENV_WAREHOUSE_DSN} "
            "needs the deployment's pseudonym secret (at least 32 random characters)."
        )
    key_file = config.state_dir / "pseudonym.key"
    if not key_file.exists():
        key_file.parent.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_hex(32) + "\n")
        os.chmod(key_file, 0o600)
    return key_file.read_text().strip().encode()


def set_pseudonym_key(conn: psycopg.Connection, key: bytes) -> None:
    """Store the key; refuse to change it silently, because every pseudonym would change."""
    row = conn.execute("select key from private.pseudonym_key").fetchone()
    if row is None:
        conn.execute("insert into private.pseudonym_key (key) values (%s)", (key,))
    elif bytes(row[0]) != key:
        raise PseudonymKeyError(
            "The configured pseudonym key differs from the one this warehouse was built with; "
            "every published pseudonym would change. Restore the original key, or clear "
            "private.pseudonym_key deliberately to re-key."
        )


def initialise(conn: psycopg.Connection, config: Deployment | None = None, *, key: bytes | None = None) -> None:
    """Apply sql/*.sql, create the loaded tables and set the pseudonym key, in one transaction."""
    with conn.transaction():
        # Serialise concurrent initialisations (parallel tasks on one server).
        conn.execute("select pg_advisory_xact_lock(hashtext('csc_pipeline.schema'))")
        for path in sorted(SQL_DIR.glob("*.sql")):
            conn.execute(path.read_text())
        # sql/030_roles.sql grants the council group the marts: fence its rows before anyone is in it.
        roles.protect_council_rows(conn, "marts")
        for table in TABLES:
            conn.execute(raw_table_ddl(table))
            conn.execute(history_table_ddl(table))
            conn.execute(sql.SQL("create index if not exists {} on history.{} (la_code, row_hash) "
                                 "where valid_to is null").format(
                sql.Identifier(f"{table.name}_current"), sql.Identifier(table.name)))
            add_missing_columns(conn, table)
            set_ended_because_check(conn, table)
        set_pseudonym_key(conn, key if key is not None else pseudonym_key(config or deployment.current()))
