"""The physical reference of landing: a plain COPY of the same files into unlogged tables.

For every file the night landed, one unlogged table of text columns named as landing named them
(the file's header), and psql's `\\copy ... (format csv, header true)` of the file into it: one
psql session for the whole night, one file after another. What landing does beyond it: the
checksum of every file against the manifest, the header's checks, the audit rows, the load
columns (council, date, record number) and a logged table.
"""

from __future__ import annotations

from pathlib import Path

from psycopg import sql

from csc_pipeline.drops.fingerprint import csv_files
from csc_pipeline.drops.manifest import Manifest
from csc_pipeline.contract.delivery import MANIFEST_NAME

from .report import BenchError

SCHEMA_PREFIX = "bench_copy_"
UTF8 = ("utf-8", "utf8", "utf-8-sig", "utf_8")


def _schema(landed: dict) -> str:
    drop = landed["drop"]
    return f"{SCHEMA_PREFIX}{drop['la_code'].lower()}_{drop['extract_date'].replace('-', '')}"


def copy_script(landed_batches: list[list[dict]]) -> str:
    """The psql script copying every landed file of the night into its own unlogged table."""
    lines = []
    for batch in landed_batches:
        for landed in batch:
            folder = Path(landed["drop"]["path"])
            encoding = Manifest.read(folder / MANIFEST_NAME).encoding
            if encoding.lower() not in UTF8:
                raise BenchError(f"{folder}: the reference copies UTF-8 files only, not {encoding}")
            files = csv_files(folder)
            schema = sql.Identifier(_schema(landed)).as_string(None)
            lines += [f"drop schema if exists {schema} cascade;", f"create schema {schema};"]
            for table, columns in sorted(landed["tables"].items()):
                target = sql.Identifier(_schema(landed), table).as_string(None)
                names = ", ".join(sql.Identifier(c).as_string(None) for c in columns)
                typed = ", ".join(f"{sql.Identifier(c).as_string(None)} text" for c in columns)
                path = str(files[table]).replace("'", "''")
                lines += [f"create unlogged table {target} ({typed});",
                          f"\\copy {target} ({names}) from '{path}' with (format csv, header true)"]
    return "\n".join(lines) + "\n"


def cleanup_script(landed_batches: list[list[dict]]) -> str:
    return "".join(f"drop schema if exists {sql.Identifier(_schema(landed)).as_string(None)} cascade;\n"
                   for batch in landed_batches for landed in batch)
