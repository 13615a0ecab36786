"""manifest.json: what a drop promises (extract-contract.md §1).

The manifest is written last, so a folder without one is still being written.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from csc_pipeline.contract.delivery import MANIFEST_NAME, default_window_start

class ManifestError(ValueError):
    """The manifest is missing, unreadable or inconsistent with its folder."""


@dataclass(frozen=True)
class FileEntry:
    rows: int
    sha256: str


@dataclass(frozen=True)
class Manifest:
    la_code: str
    la_name: str
    extract_date: date
    extracted_at: str
    source_system: str
    ssd_version: str
    files: dict[str, FileEntry]
    encoding: str = "utf-8"
    window_start: date = field(default=date.min)

    @classmethod
    def read(cls, path: Path) -> "Manifest":
        try:
            raw = json.loads(path.read_text(encoding="utf-8-sig"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ManifestError(f"{path}: not readable as JSON ({type(exc).__name__})") from None
        try:
            extract_date = date.fromisoformat(raw["extract_date"])
            files = {
                str(name): FileEntry(rows=int(entry["rows"]), sha256=str(entry["sha256"]).lower())
                for name, entry in raw["files"].items()
            }
            window_start = (
                date.fromisoformat(raw["window_start"]) if raw.get("window_start")
                else default_window_start(extract_date)
            )
            return cls(
                la_code=str(raw["la_code"]).strip().upper(),
                la_name=str(raw.get("la_name") or raw["la_code"]),
                extract_date=extract_date,
                extracted_at=str(raw.get("extracted_at", "")),
                source_system=str(raw.get("source_system", "")),
                ssd_version=str(raw.get("ssd_version", "")),
                files=files,
                encoding=str(raw.get("encoding") or "utf-8"),
                window_start=window_start,
            )
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise ManifestError(f"{path}: missing or malformed key ({exc})") from None

    def to_json(self) -> bytes:
        """The manifest as a drop carries it (§1): keys in the contract's order, UTF-8, one per line."""
        doc: dict[str, object] = {
            "la_code": self.la_code,
            "la_name": self.la_name,
            "extract_date": self.extract_date.isoformat(),
            "extracted_at": self.extracted_at,
            "source_system": self.source_system,
            "ssd_version": self.ssd_version,
        }
        if self.encoding.lower() not in ("utf-8", "utf8"):
            doc["encoding"] = self.encoding
        window_start = self.window_start if self.window_start != date.min else default_window_start(self.extract_date)
        doc["window_start"] = window_start.isoformat()
        doc["files"] = {name: {"rows": e.rows, "sha256": e.sha256} for name, e in self.files.items()}
        return (json.dumps(doc, indent=2) + "\n").encode("utf-8")

    def write(self, folder: Path) -> Path:
        """Write `manifest.json` into `folder` through a temporary file: it appears whole or not at all."""
        path = folder / MANIFEST_NAME
        tmp = folder / f".{MANIFEST_NAME}.tmp"
        with tmp.open("wb") as fh:
            fh.write(self.to_json())
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
        return path


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()
