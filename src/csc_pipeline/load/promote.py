"""Publishing: replace a council's loaded snapshot with a validated drop, in one transaction.

Either every table of the drop is published and the load recorded, or nothing
changes. Rows are compared with the previous snapshot by a hash of their
values: history.<table> keeps every version stamped with the extract dates it
was current between, and why it ended — corrected (same id, new values),
emptied (same id, a column missing from the file took its values), deleted,
or aged out of the six-year window (not a deletion). The audit records the
nightly counts of each and the columns the files lacked.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import psycopg
from psycopg import sql

from csc_pipeline.contract import TABLES, Table
from csc_pipeline.contract.loaded import LOAD_COLUMNS
from . import audit
from .audit import LoadStatus
from .copy_in import LandedDrop


@dataclass
class PublishResult:
    load_id: int
    status: LoadStatus  # published | superseded
    changes: dict[str, dict[str, int]] = field(default_factory=dict)
    message: str = ""


def publish_drop(conn: psycopg.Connection, landed: LandedDrop) -> PublishResult:
    drop = landed.drop
    with conn.transaction():
        # One publisher per council at a time, whatever runs in parallel.
        conn.execute("select pg_advisory_xact_lock(hashtext('csc_publish:' || %s))", (drop.la_code,))
        newer = audit.newer_good_extract(conn, drop.la_code, drop.extract_date)
        if newer is not None:
            message = f"superseded: a newer extract ({newer:%Y-%m-%d}) is already loaded; not loaded over it"
            audit.set_status(conn, landed.load_id, LoadStatus.SUPERSEDED, message)
            return PublishResult(landed.load_id, LoadStatus.SUPERSEDED, message=message)

        window_start = conn.execute(
            "select window_start from audit.loads where load_id = %s", (landed.load_id,)).fetchone()[0]
        result = PublishResult(landed.load_id, LoadStatus.PUBLISHED)
        for table in TABLES:
            present = table.name in landed.tables
            changes = _replace_table(conn, landed, table, present, window_start)
            result.changes[table.name] = changes
            conn.execute(
                "insert into audit.load_tables (load_id, table_name, present, row_count, sha256,"
                " rows_added, rows_removed, rows_corrected, rows_deleted, rows_aged_out, rows_emptied,"
                " columns_missing) values (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                (landed.load_id, table.name, present, landed.row_counts.get(table.name, 0),
                 landed.sha256.get(table.name), changes["added"], changes["removed"], changes["corrected"],
                 changes["deleted"], changes["aged_out"], changes["emptied"], changes["columns_missing"]),
            )
        audit.set_status(conn, landed.load_id, LoadStatus.PUBLISHED)
        conn.execute(sql.SQL("drop schema if exists {} cascade").format(sql.Identifier(landed.schema)))
    return result


def _replace_table(conn, landed: LandedDrop, table: Table, present: bool, window_start: date) -> dict:
    raw = sql.Identifier("raw", table.name)
    history = sql.Identifier("history", table.name)
    pk = sql.Identifier(table.primary_key.name)
    contract_columns = table.column_names
    la_code, extract_date = landed.drop.la_code, landed.drop.extract_date
    conn.execute("drop table if exists _csc_new")
    missing: list[str] = []  # optional columns the file lacks: loaded empty
    if present:
        file_columns = set(landed.tables[table.name])
        missing = [c for c in contract_columns if c not in file_columns]
        # Optional columns absent from the file load as NULL; unknown extra columns are not loaded.
        plain = [sql.Identifier(c) if c in file_columns else sql.SQL("null::text") for c in contract_columns]
        named = [sql.SQL("{} as {}").format(v, sql.Identifier(c)) for v, c in zip(plain, contract_columns)]
        conn.execute(
            sql.SQL(
                "create temp table _csc_new on commit drop as "
                "select la_code, extract_date, source_row, {named}, md5(row({plain})::text) as row_hash "
                "from {landing}"
            ).format(named=sql.SQL(", ").join(named), plain=sql.SQL(", ").join(plain),
                     landing=sql.Identifier(landed.schema, table.name))
        )
    else:
        conn.execute(sql.SQL("create temp table _csc_new on commit drop as select * from {} limit 0").format(raw))
    conn.execute("create index on _csc_new (row_hash)")
    conn.execute("analyze _csc_new")

    # Versions that left the snapshot tonight, and why (extract-contract.md §1).
    ended = conn.execute(
        sql.SQL("""
        with gone as (
            update {history} h set valid_to = %(extract_date)s, ended_because = case
                when exists (select 1 from _csc_new n where btrim(n.{pk}) = h.record_id) then
                    case when {emptied} then 'emptied' else 'corrected' end
                when {aged_out} then 'aged_out'
                else 'deleted' end
            where h.la_code = %(la_code)s and h.valid_to is null
              and not exists (select 1 from _csc_new n where n.row_hash = h.row_hash)
            returning ended_because
        )
        select count(*) filter (where ended_because = 'corrected'),
               count(*) filter (where ended_because = 'deleted'),
               count(*) filter (where ended_because = 'aged_out'),
               count(*) filter (where ended_because = 'emptied')
        from gone
        """).format(history=history, pk=pk, aged_out=_aged_out(table, landed), emptied=_emptied(missing)),
        {"extract_date": extract_date, "la_code": la_code, "window_start": window_start},
    ).fetchone()
    columns = sql.SQL(", ").join(map(sql.Identifier, contract_columns))
    added = conn.execute(
        sql.SQL("""
        insert into {history} (la_code, record_id, {columns}, row_hash, valid_from)
        select n.la_code, btrim(n.{pk}), {n_columns}, n.row_hash, %(extract_date)s
        from _csc_new n
        where not exists (select 1 from {history} h
                          where h.la_code = %(la_code)s and h.valid_to is null and h.row_hash = n.row_hash)
        """).format(history=history, pk=pk, columns=columns,
                    n_columns=sql.SQL(", ").join(sql.Identifier("n", c) for c in contract_columns)),
        {"extract_date": extract_date, "la_code": la_code},
    ).rowcount

    conn.execute(sql.SQL("delete from {} where la_code = %s").format(raw), (la_code,))
    la, extract, row, row_hash = LOAD_COLUMNS
    all_columns = sql.SQL(", ").join(map(sql.Identifier, [la, extract, row, *contract_columns, row_hash]))
    conn.execute(sql.SQL("insert into {} ({cols}) select {cols} from _csc_new").format(raw, cols=all_columns))
    conn.execute("drop table _csc_new")
    corrected, deleted, aged_out, emptied = (int(x) for x in ended)
    return {"added": int(added), "removed": corrected + deleted + aged_out + emptied,
            "corrected": corrected, "deleted": deleted, "aged_out": aged_out, "emptied": emptied,
            "columns_missing": missing}


def _emptied(missing: list[str]) -> sql.Composable:
    """A version changed only because the file lacked a column it had values in (an operator
    accepted filled_column_missing): flagged, not counted as a correction from the council."""
    if not missing:
        return sql.SQL("false")
    return sql.SQL(" or ").join(sql.SQL("not private.is_null_value(h.{})").format(sql.Identifier(c)) for c in missing)


def _aged_out(table: Table, landed: LandedDrop) -> sql.Composable:
    """When a version that left the snapshot has aged out of the window rather than been deleted.

    A record with an end closed before the new window start; a dated event whose dates all lie
    before it; a person or professional no row of the new drop refers to any more (the SSD
    extracts people because of their activity in the window); a link row whose person left.
    """
    if table.closed_by:
        return sql.SQL("private.parse_date(h.{}) < %(window_start)s").format(sql.Identifier(table.closed_by))
    dates = [sql.SQL("private.parse_date(h.{})").format(sql.Identifier(c.name))
             for c in table.columns if c.type == "date" and c.happened and not c.pii]
    if dates:
        return sql.SQL("coalesce(greatest({}) < %(window_start)s, false)").format(sql.SQL(", ").join(dates))
    referring = [(t.name, c.name) for t in TABLES for c in t.columns
                 if c.references == (table.name, table.primary_key.name) and t.name in landed.tables
                 and c.name in landed.tables[t.name]]
    if referring:
        return sql.SQL(" and ").join(
            sql.SQL("not exists (select 1 from {} r where btrim(r.{}) = h.record_id)").format(
                sql.Identifier(landed.schema, t), sql.Identifier(c))
            for t, c in referring)
    to_person = [c.name for c in table.columns if c.references == ("ssd_person", "pers_person_id")]
    if to_person and "ssd_person" in landed.tables:
        return sql.SQL("not exists (select 1 from {} p where btrim(p.pers_person_id) = btrim(h.{}))").format(
            sql.Identifier(landed.schema, "ssd_person"), sql.Identifier(to_person[0]))
    return sql.SQL("false")
