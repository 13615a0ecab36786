"""Hand-made drops for tests: write CSVs and a manifest exactly as the contract describes."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from datetime import date
from pathlib import Path


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
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(header)
        for row in rows:
            writer.writerow([row.get(c, "") for c in header])
        data = buf.getvalue().encode(encoding)
        (folder / f"{table}.csv").write_bytes(data)
        files[table] = {"rows": len(rows), "sha256": hashlib.sha256(data).hexdigest()}
    manifest = {
        "la_code": la_code, "la_name": f"Test council {la_code}", "extract_date": extract_date.isoformat(),
        "extracted_at": f"{extract_date.isoformat()}T02:10:00Z", "source_system": "mosaic",
        "ssd_version": "1.4.5", "files": files,
    }
    if encoding != "utf-8":
        manifest["encoding"] = encoding
    manifest.update(manifest_overrides or {})
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2))
    return folder
