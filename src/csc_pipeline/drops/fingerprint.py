"""A drop's fingerprint: the checksums of its manifest and of its contract files together.

Drops are keyed by council, date and manifest checksum; a quarantined drop is also keyed by its
fingerprint, so putting an intact file back under the same manifest (what the quarantine alert
asks for) is taken again the next night."""

from __future__ import annotations

import hashlib
from pathlib import Path

from csc_pipeline.contract import TABLES_BY_NAME

from .finder import REFUSED
from .manifest import sha256_of
from .safe_paths import is_refused_file


def csv_files(folder: Path) -> dict[str, Path]:
    """The drop's CSV files by lower-case stem (a table name, if it is the contract's)."""
    return {p.stem.lower(): p for p in sorted(folder.glob("*.csv")) + sorted(folder.glob("*.CSV"))}


def fingerprint(manifest_sha256: str, file_sha256: dict[str, str]) -> str:
    """One checksum over the manifest's and every contract file's (table -> sha256)."""
    digest = hashlib.sha256(manifest_sha256.encode())
    for table in sorted(file_sha256):
        digest.update(f"\n{table}\t{file_sha256[table]}".encode())
    return digest.hexdigest()


def current_fingerprint(folder: Path, manifest_sha256: str, known: dict[str, str] | None = None) -> str:
    """The fingerprint of the files now in the folder, with the checksums already `known` (table ->
    sha256, from landing). Nothing is opened through a link: a linked file counts as "refused",
    and a drop reached through a linked folder (finder.REFUSED) by its manifest key alone."""
    if manifest_sha256 == REFUSED:
        return fingerprint(manifest_sha256, {})
    known = known or {}
    return fingerprint(manifest_sha256, {
        table: known.get(table) or ("refused" if is_refused_file(path, folder) else sha256_of(path))
        for table, path in csv_files(folder).items() if table in TABLES_BY_NAME})
