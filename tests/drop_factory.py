"""Hand-made drops for tests: write CSVs and a manifest exactly as the contract describes,
edit a drop's files afterwards, and land a drop as the nightly run does."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from datetime import date
from pathlib import Path
from typing import Callable


def write_drop(
    root: Path,
    la_code: str,
    extract_date: date,
    tables: dict[str, list[dict]],
    *,
    columns: dict[str, list[str]] | None = None,
    encoding: str = "utf-8",
    manifest_overrides: dict | None = None,
) -> Path:
    """Write `<root>/<la_code>/<date>/<table>.csv` for each table, then manifest.json last."""
    folder = root / la_code / extract_date.isoformat()
    folder.mkdir(parents=True, exist_ok=True)
    files = {}
    for table, rows in tables.items():
        header = (columns or {}).get(table) or (list(rows[0]) if rows else [])
        files[table] = file_entry(write_table(folder, table, header, rows, encoding=encoding), len(rows))
    doc = {
        "la_code": la_code, "la_name": f"Test council {la_code}", "extract_date": extract_date.isoformat(),
        "extracted_at": f"{extract_date.isoformat()}T02:10:00Z", "source_system": "mosaic",
        "ssd_version": "1.4.5", "files": files,
    }
    if encoding != "utf-8":
        doc["encoding"] = encoding
    doc.update(manifest_overrides or {})
    write_manifest(folder, doc)
    return folder


# -- a drop's files ----------------------------------------------------------------------------

def read_table(folder: Path, table: str) -> tuple[list[str], list[dict[str, str]]]:
    """`<folder>/<table>.csv`: its header and its records."""
    with (folder / f"{table}.csv").open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        return list(reader.fieldnames or []), list(reader)


def write_table(folder: Path, table: str, header: list[str], rows: list[dict], encoding: str = "utf-8") -> bytes:
    """Write `<folder>/<table>.csv` (missing values empty); returns the bytes written."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(c, "") for c in header])
    data = buf.getvalue().encode(encoding)
    (folder / f"{table}.csv").write_bytes(data)
    return data


def edit_table(folder: Path, table: str, edit: Callable[[list[str], list[dict]], tuple[list[str], list[dict]] | None]
               ) -> None:
    """Rewrite a table through `edit(header, rows)`, which changes rows in place or returns new ones."""
    header, rows = read_table(folder, table)
    result = edit(header, rows)
    if result is not None:
        header, rows = result
    write_table(folder, table, header, rows)


def file_entry(data: bytes, rows: int) -> dict:
    """A file's manifest entry."""
    return {"rows": rows, "sha256": hashlib.sha256(data).hexdigest()}


def manifest(folder: Path) -> dict:
    return json.loads((folder / "manifest.json").read_text())


def write_manifest(folder: Path, doc: dict) -> None:
    (folder / "manifest.json").write_text(json.dumps(doc, indent=2))


def refresh_manifest(folder: Path) -> None:
    """Rows and checksums of the files as they now are (what a correct extract job writes)."""
    doc = manifest(folder)
    for table in list(doc["files"]):
        path = folder / f"{table}.csv"
        if path.exists():
            data = path.read_bytes()
            rows = sum(1 for _ in csv.reader(io.StringIO(data.decode("utf-8", "replace")))) - 1
            doc["files"][table] = file_entry(data, rows)
    write_manifest(folder, doc)


# -- landing -----------------------------------------------------------------------------------

def land(conn, drop, run_id: str = "test"):
    """Land a found drop as the nightly run does (audit.loads row, then COPY); returns LandedDrop."""
    from csc_pipeline.load import audit
    from csc_pipeline.load.copy_in import land_drop

    load_id = audit.start_load(conn, drop, drop.manifest, run_id=run_id)
    return land_drop(conn, drop, drop.manifest, load_id)
