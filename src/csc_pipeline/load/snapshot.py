"""What a council's loaded snapshot (`raw`, its last good drop) holds, for checks against the next drop."""

from __future__ import annotations

import psycopg
from psycopg import sql


def filled_columns(conn: psycopg.Connection, la_code: str, table: str, columns: list[str]) -> list[str]:
    """Those of `columns` with a value (not empty, not an SSD placeholder) in any row of the
    council's snapshot of `table`: one scan, answers only (never the values)."""
    if not columns:
        return []
    tests = [sql.SQL("coalesce(bool_or(not private.is_null_value({})), false)").format(sql.Identifier(c))
             for c in columns]
    row = conn.execute(sql.SQL("select {} from {} where la_code = %s").format(
        sql.SQL(", ").join(tests), sql.Identifier("raw", table)), (la_code,)).fetchone()
    return [c for c, filled in zip(columns, row) if filled]
