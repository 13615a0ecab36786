"""Drops: `<landing_root>/<la_code>/<extract_date>/` folders with a manifest.

The landing folder is read-only to the pipeline; what has been processed is
recorded in the warehouse (audit.loads, see load/audit.py `pending_drops`), keyed by
council, date and the manifest's checksum (and, for a quarantined drop, its files' checksums),
so a corrected drop for the same date is new work and the same drop delivered twice is not.
Folders and manifests reached through a symbolic link are listed but never opened: landing
refuses them, so the data team hears of them.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from csc_pipeline.contract.delivery import LA_CODE_PATTERN, MANIFEST_NAME

from .manifest import Manifest, sha256_of
from .safe_paths import is_refused_file, is_refused_folder

log = logging.getLogger(__name__)

# The manifest checksum of a drop reached through a link: it is not opened, and landing refuses it.
REFUSED = "refused: symbolic link"


@dataclass(frozen=True)
class Drop:
    path: Path
    la_code: str
    extract_date: date
    manifest_sha256: str

    @property
    def manifest(self) -> Manifest:
        return Manifest.read(self.path / MANIFEST_NAME)

    @property
    def landing_schema(self) -> str:
        """The drop's own staging area in the warehouse."""
        return f"landing_{self.la_code.lower()}_{self.extract_date:%Y%m%d}"

    def to_dict(self) -> dict:
        return {
            "path": str(self.path),
            "la_code": self.la_code,
            "extract_date": self.extract_date.isoformat(),
            "manifest_sha256": self.manifest_sha256,
        }

    @classmethod
    def from_dict(cls, d: dict) -> "Drop":
        return cls(Path(d["path"]), d["la_code"], date.fromisoformat(d["extract_date"]), d["manifest_sha256"])


def find_drops(landing_root: Path, *, up_to: date | None = None) -> list[Drop]:
    """Every complete drop (manifest present) under the landing root, oldest first per council."""
    drops: list[Drop] = []
    if not landing_root.is_dir():
        raise FileNotFoundError(f"landing folder {landing_root} does not exist")
    for la_dir in sorted(p for p in landing_root.iterdir() if p.is_dir()):
        if not LA_CODE_PATTERN.match(la_dir.name):
            log.warning("ignoring folder %s: not an English local-authority GSS code", la_dir.name)
            continue
        # Hidden folders are an extract still being written (or one that was killed): never read.
        for date_dir in sorted(p for p in la_dir.iterdir() if p.is_dir() and not p.name.startswith(".")):
            try:
                extract_date = date.fromisoformat(date_dir.name)
            except ValueError:
                log.warning("ignoring folder %s/%s: not a YYYY-MM-DD extract date", la_dir.name, date_dir.name)
                continue
            if up_to is not None and extract_date > up_to:
                continue
            manifest = date_dir / MANIFEST_NAME
            if not manifest.is_file():
                log.info("drop %s/%s has no manifest yet: still being written", la_dir.name, date_dir.name)
                continue
            refused = is_refused_folder(la_dir) or is_refused_folder(date_dir) or is_refused_file(manifest, date_dir)
            drops.append(Drop(date_dir, la_dir.name, extract_date, REFUSED if refused else sha256_of(manifest)))
    return sorted(drops, key=lambda d: (d.la_code, d.extract_date))
