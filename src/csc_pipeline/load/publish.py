"""Publishing: replace a council's loaded snapshot with a validated drop, in one transaction.

Either every table of the drop is published and the load recorded, or nothing
changes. Rows are compared with the previous snapshot by a hash of their
values, so the audit records how many rows were added and removed each night
(a corrected record counts as one removed and one added).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import psycopg
from psycopg import sql

from ..contract import TABLES
from . import audit
from .land import LandedDrop


@dataclass
class PublishResult:
    load_id: int
    status: str  # published | superseded
    changes: dict[str, dict[str, int]] = field(default_factory=dict)
    message: str = ""


def publish_drop(conn: psycopg.Connection, landed: LandedDrop) -> PublishResult:
    drop = landed.drop
    with conn.transaction():
        # One publisher per council at a time, whatever runs in parallel.
        conn.execute("select pg_advisory_xact_lock(hashtext('csc_publish:' || %s))", (drop.la_code,))
        newer = conn.execute(
            "select max(extract_date) from audit.loads where la_code = %s and status in ('published', 'accepted')"
            " and extract_date > %s",
            (drop.la_code, drop.extract_date),
        ).fetchone()[0]
        if newer is not None:
            message = f"superseded: a newer extract ({newer:%Y-%m-%d}) is already loaded; not loaded over it"
            audit.set_status(conn, landed.load_id, "superseded", message)
            return PublishResult(landed.load_id, "superseded", message=message)

        result = PublishResult(landed.load_id, "published")
        for table in TABLES:
            present = table.name in landed.tables
            changes = _replace_table(conn, landed, table.name, table.column_names, present)
            result.changes[table.name] = changes
            conn.execute(
                "insert into audit.load_tables (load_id, table_name, present, row_count, sha256,"
                " rows_added, rows_removed) values (%s, %s, %s, %s, %s, %s, %s)",
                (landed.load_id, table.name, present, landed.row_counts.get(table.name, 0),
                 landed.sha256.get(table.name), changes["added"], changes["removed"]),
            )
        audit.set_status(conn, landed.load_id, "published")
        conn.execute(sql.SQL("drop schema if exists {} cascade").format(sql.Identifier(landed.schema)))
    return result


def _replace_table(conn, landed: LandedDrop, table: str, contract_columns: list[str], present: bool) -> dict:
    raw = sql.Identifier("raw", table)
    la_code = landed.drop.la_code
    conn.execute("drop table if exists _csc_new")
    if present:
        file_columns = set(landed.tables[table])
        # Optional columns absent from the file load as NULL; unknown extra columns are not loaded.
        values = [
            sql.Identifier(c) if c in file_columns else sql.SQL("null::text as {}").format(sql.Identifier(c))
            for c in contract_columns
        ]
        conn.execute(
            sql.SQL(
                "create temp table _csc_new on commit drop as "
                "select la_code, extract_date, source_row, {values}, md5(row({plain})::text) as row_hash "
                "from {landing}"
            ).format(values=sql.SQL(", ").join(values), landing=sql.Identifier(landed.schema, table),
                     plain=sql.SQL(", ").join(
                         sql.Identifier(c) if c in file_columns else sql.SQL("null::text") for c in contract_columns))
        )
    else:
        conn.execute(sql.SQL("create temp table _csc_new on commit drop as select * from {} limit 0").format(raw))
    added = conn.execute(
        sql.SQL("select count(*) from (select row_hash from _csc_new except all "
                "select row_hash from {} where la_code = %s) d").format(raw), (la_code,)
    ).fetchone()[0]
    removed = conn.execute(
        sql.SQL("select count(*) from (select row_hash from {} where la_code = %s except all "
                "select row_hash from _csc_new) d").format(raw), (la_code,)
    ).fetchone()[0]
    conn.execute(sql.SQL("delete from {} where la_code = %s").format(raw), (la_code,))
    columns = sql.SQL(", ").join(map(sql.Identifier, ["la_code", "extract_date", "source_row",
                                                      *contract_columns, "row_hash"]))
    conn.execute(sql.SQL("insert into {} ({cols}) select {cols} from _csc_new").format(raw, cols=columns))
    conn.execute("drop table _csc_new")
    return {"added": int(added), "removed": int(removed)}
