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


def record_snapshot(conn: psycopg.Connection, la_code: str, extract_date: date, window_start: date, *,
                    present: dict[str, int], status: str = "published", la_name: str | None = None) -> int:
    """The audit rows a load leaves (audit.loads + audit.load_tables), for rows inserted by hand.

    `present`: table -> row count for the tables the drop had; every other table is absent."""
    from csc_pipeline.contract import TABLES

    load_id = conn.execute(
        "insert into audit.loads (la_code, la_name, extract_date, window_start, source_system, drop_path,"
        " manifest_sha256, status) values (%s, %s, %s, %s, 'mosaic', %s, 'sha', %s) returning load_id",
        (la_code, la_name or f"Test council {la_code}", extract_date, window_start, f"/landing/{la_code}", status),
    ).fetchone()[0]
    for table in TABLES:
        conn.execute(
            "insert into audit.load_tables (load_id, table_name, present, row_count) values (%s, %s, %s, %s)",
            (load_id, table.name, table.name in present, present.get(table.name, 0)),
        )
    return load_id
