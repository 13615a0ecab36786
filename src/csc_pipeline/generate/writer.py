"""Writing a drop: one CSV per contract table, then manifest.json (last, via a temporary file).

Mosaic-style extracts write codes, Y/N and ISO dates. SystemC-style ones write
DfE descriptions (in whatever letter case, sometimes padded), Yes/No or
True/False and SQL Server datetimes (some DD/MM/YYYY). Which variant a cell
gets is fixed by a checksum of its table, row id and column, so the same row
is written the same way every night.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import zlib
from datetime import date
from pathlib import Path
from typing import Literal

from csc_pipeline.contract import CODE_SETS, TABLES, Column, Table
from csc_pipeline.contract.delivery import MANIFEST_NAME, default_window_start
from csc_pipeline.drops.manifest import FileEntry, Manifest
from .snapshot import Shown

Flavour = Literal["mosaic", "systemc"]
SSD_VERSION = "1.4.5"


def _crc(*parts: str) -> int:
    return zlib.crc32("\x1f".join(parts).encode())


def _format(table: Table, col: Column, value: object, pk: str, flavour: Flavour) -> str:
    if value is None:
        return ""
    if flavour == "mosaic":
        if isinstance(value, bool):
            return "Y" if value else "N"
        if isinstance(value, date):
            return value.isoformat()
        if isinstance(value, float):
            return f"{value:.1f}"
        return str(value)
    v = _crc(table.name, pk, col.name)
    if isinstance(value, bool):
        yes, no = ("Yes", "No") if _crc(table.name, col.name) % 10 < 7 else ("True", "False")
        return yes if value else no
    if isinstance(value, date):
        if (v >> 4) % 12 == 0:
            return value.strftime("%d/%m/%Y")
        if (v >> 12) % 5 == 0:  # a few carry the time of day they were entered
            return f"{value.isoformat()} {8 + (v >> 16) % 10:02d}:{(v >> 20) % 60:02d}:00.000"
        return f"{value.isoformat()} 00:00:00.000"
    if isinstance(value, float):
        return f"{value:.1f}"
    text = str(value)
    if col.type == "code" and col.code_set:
        cs = CODE_SETS[col.code_set]
        desc = cs.codes.get(text, "")
        if not (cs.accept_descriptions and desc):
            return text
        if desc in cs.prefix_descriptions and v % 3 == 0:
            desc = f"{desc}: Neglect, Emotional abuse"
        case = v % 10
        text = desc.upper() if case in (5, 6) else desc.lower() if case in (7, 8) else desc
        pad = (v >> 8) % 10
        return f" {text} " if pad == 0 else f"{text} " if pad == 1 else text
    return text


def _csv_bytes(table: Table, rows: list[Shown], flavour: Flavour, cache: dict[int, list[str]]) -> bytes:
    buf = io.StringIO()
    out = csv.writer(buf, lineterminator="\n")  # RFC 4180 quoting, '\n' between records
    out.writerow(table.column_names)
    pk = table.primary_key.name
    cols = table.columns
    for row, rec in rows:
        cells = cache.get(id(rec)) if rec is not None else None
        if cells is None:
            key = str(row[pk])
            cells = [_format(table, c, row.get(c.name), key, flavour) for c in cols]
            if rec is not None:  # the record's final state: the same on every later night
                cache[id(rec)] = cells
        out.writerow(cells)
    return buf.getvalue().encode("utf-8")


def _write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def write_drop(folder: Path, snapshot: dict[str, list[Shown]], *, la_code: str, la_name: str,
               extract_date: date, flavour: Flavour, cache: dict[int, list[str]] | None = None) -> int:
    """Write every table's CSV into `folder`, then its manifest; returns the number of rows.

    `cache` (formatted rows by record, for one flavour) may be shared by the drops of one
    simulated world; the records must outlive it.
    """
    cache = {} if cache is None else cache
    folder.mkdir(parents=True, exist_ok=True)
    # An earlier manifest would make a half-rewritten drop look complete.
    (folder / MANIFEST_NAME).unlink(missing_ok=True)
    files: dict[str, FileEntry] = {}
    for table in TABLES:
        rows = snapshot[table.name]
        data = _csv_bytes(table, rows, flavour, cache)
        _write_atomic(folder / f"{table.name}.csv", data)
        files[table.name] = FileEntry(rows=len(rows), sha256=hashlib.sha256(data).hexdigest())
    manifest = Manifest(
        la_code=la_code, la_name=la_name, extract_date=extract_date,
        extracted_at=f"{extract_date.isoformat()}T02:10:00Z", source_system=flavour, ssd_version=SSD_VERSION,
        files=files, window_start=default_window_start(extract_date),
    )
    _write_atomic(folder / MANIFEST_NAME, manifest.to_json())
    return sum(len(r) for r in snapshot.values())
