"""The columns loading adds to every row of a contract table (landing, raw, staging, docs, bench):
la_code, extract_date and source_row before the contract's columns, row_hash after them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class LoadColumn:
    name: str
    sql_type: str
    description: str
    landed: bool  # also in a landing table (row_hash is computed when publishing)


LOAD_COLUMN_DEFS = (
    LoadColumn("la_code", "text", "GSS code of the authority the row came from.", True),
    LoadColumn("extract_date", "date", "Date of the snapshot the row came from.", True),
    LoadColumn("source_row", "integer", "Record number in the extract file (for reports, never values).", True),
    LoadColumn("row_hash", "text", "Hash of the row's values (change detection).", False),
)
LOAD_COLUMNS: tuple[str, ...] = tuple(c.name for c in LOAD_COLUMN_DEFS)
LANDED_LOAD_COLUMNS: tuple[str, ...] = tuple(c.name for c in LOAD_COLUMN_DEFS if c.landed)
