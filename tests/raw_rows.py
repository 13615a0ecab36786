"""Hand-made rows straight into the loaded tables (raw.*), for dbt tests that need no drop."""

from __future__ import annotations

from datetime import date

import psycopg

from csc_pipeline.contract import TABLES_BY_NAME


def insert_raw(conn: psycopg.Connection, la_code: str, extract_date: date, table: str, rows: list[dict]) -> None:
    """Insert rows (contract column -> text) as a published snapshot would hold them."""
    columns = TABLES_BY_NAME[table].column_names
    names = ", ".join(["la_code", "extract_date", "source_row", *columns, "row_hash"])
    placeholders = ", ".join(["%s"] * (len(columns) + 4))
    for number, row in enumerate(rows, start=2):  # record 1 is the header
        unknown = set(row) - set(columns)
        assert not unknown, (table, unknown)
        values = [la_code, extract_date, number, *[row.get(c) for c in columns], f"hash-{number}"]
        conn.execute(f"insert into raw.{table} ({names}) values ({placeholders})", values)
