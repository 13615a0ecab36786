"""The contract's tables as the SSD's SQL Server scripts type them, built in PostgreSQL.

The SSD publishes no PostgreSQL scripts; a PostgreSQL SSD database mirrors the SQL Server
types: NVARCHAR(48) identifiers (varchar: leading zeros stay), DATETIME dates (timestamp;
the person's dates as `date`, as some sites declare them), FLOAT distances (double precision),
INT caseloads, a DECIMAL FTE (numeric), NCHAR(1) flags, each table with its primary key.
`make bench` and the tests build council source databases with it and fill them from a drop.
"""

from __future__ import annotations

from pathlib import Path

import psycopg
from psycopg import sql

from csc_pipeline.contract import TABLES, Column, Table

SCHEMA = "ssd_development"
# Columns typed unlike the rest of their contract type (as in the SSD scripts, or as sites do).
TYPE_OVERRIDES = {
    "pers_dob": "date", "pers_expected_dob": "date",
    "prof_professional_caseload": "integer",
    "prof_full_time_equivalency": "numeric(4,2)",
}


def column_type(column: Column) -> str:
    if column.name in TYPE_OVERRIDES:
        return TYPE_OVERRIDES[column.name]
    if column.type == "date":
        return "timestamp(3)"  # DATETIME
    if column.type == "number":
        return "double precision"  # FLOAT
    if column.type == "yn":
        return "char(1)"  # NCHAR(1)
    if column.primary_key or column.references or column.name.endswith("_id"):
        return "varchar(48)"  # NVARCHAR(48)
    return "varchar(1000)"


def create_tables(conn: psycopg.Connection, tables: tuple[Table, ...] = TABLES, schema: str = SCHEMA) -> None:
    conn.execute(sql.SQL("create schema if not exists {}").format(sql.Identifier(schema)))
    for table in tables:
        cols = [sql.SQL("{} {}").format(sql.Identifier(c.name), sql.SQL(column_type(c))) for c in table.columns]
        cols.append(sql.SQL("primary key ({})").format(sql.Identifier(table.primary_key.name)))
        conn.execute(sql.SQL("create table {} ({})").format(sql.Identifier(schema, table.name),
                                                            sql.SQL(", ").join(cols)))


def load_drop(conn: psycopg.Connection, folder: Path, tables: tuple[Table, ...] = TABLES,
              schema: str = SCHEMA) -> dict[str, int]:
    """COPY each table's CSV of a drop (codes, Y/N and ISO dates: a Mosaic-style drop) in;
    PostgreSQL casts the text to the column types. Returns rows per table."""
    counts = {}
    for table in tables:
        path = folder / f"{table.name}.csv"
        if not path.exists():
            continue
        with path.open(encoding="utf-8") as fh:
            header = fh.readline().strip().split(",")
        copy = sql.SQL("copy {} ({}) from stdin with (format csv, header true)").format(
            sql.Identifier(schema, table.name), sql.SQL(", ").join(map(sql.Identifier, header)))
        with conn.cursor() as cur, cur.copy(copy) as cp, path.open("rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                cp.write(chunk)
        counts[table.name] = conn.execute(
            sql.SQL("select count(*) from {}").format(sql.Identifier(schema, table.name))).fetchone()[0]
    return counts
