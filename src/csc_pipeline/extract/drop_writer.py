"""Writing an extracted drop so that it is complete or absent, never half there.

Everything goes into a hidden temporary folder beside the drop's final place
(`<root>/<la_code>/.<extract_date>.partial-<id>`, ignored by the drop scan): each table's CSV
(UTF-8, RFC 4180, `\\n` between records, hashed as it is written), then `manifest.json`, last.
Only then is the folder renamed to `<root>/<la_code>/<extract_date>/`, one atomic rename on the
same file system. An extract killed midway leaves only a hidden folder, removed by the next one.

A drop already there for that date is kept when the new one has the same files (an unchanged
source gives the same checksums, so a re-run changes nothing downstream), and replaced otherwise
(a corrected drop for the same date, extract-contract §1).
"""

from __future__ import annotations

import csv
import hashlib
import io
import logging
import os
import shutil
import uuid
from collections.abc import Iterable, Sequence
from datetime import date
from pathlib import Path

from csc_pipeline.contract.delivery import MANIFEST_NAME
from csc_pipeline.drops.manifest import FileEntry, Manifest, ManifestError

log = logging.getLogger(__name__)


class DropWriter:
    def __init__(self, root: Path, la_code: str, extract_date: date):
        self.parent = Path(root) / la_code
        self.final = self.parent / extract_date.isoformat()
        self.parent.mkdir(parents=True, exist_ok=True)
        for stale in self.parent.glob(f".{extract_date.isoformat()}.*"):
            # left by an extract that was killed: never complete, never read
            log.info("removing %s, left by an interrupted extract", stale.name)
            shutil.rmtree(stale, ignore_errors=True)
        self.tmp = self.parent / f".{extract_date.isoformat()}.partial-{uuid.uuid4().hex[:12]}"
        self.tmp.mkdir()
        self.files: dict[str, FileEntry] = {}

    def write_table(self, name: str, header: Sequence[str], batches: Iterable[Iterable[Sequence[str]]]) -> FileEntry:
        """Stream one table into `<name>.csv`: one batch of rows in memory at a time."""
        digest = hashlib.sha256()
        rows = 0
        buf = io.StringIO()
        out = csv.writer(buf, lineterminator="\n")
        with (self.tmp / f"{name}.csv").open("wb") as fh:
            def flush() -> None:
                data = buf.getvalue().encode("utf-8")
                digest.update(data)
                fh.write(data)
                buf.seek(0)
                buf.truncate()

            out.writerow(header)
            for batch in batches:
                before = rows
                for cells in batch:
                    out.writerow(cells)
                    rows += 1
                if rows > before:
                    flush()
            flush()
            fh.flush()
            os.fsync(fh.fileno())
        entry = FileEntry(rows=rows, sha256=digest.hexdigest())
        self.files[name] = entry
        return entry

    def copy_table(self, name: str, source: Path) -> FileEntry:
        """A CSV the council keeps itself (a local table), copied byte for byte; rows are its records."""
        data = source.read_bytes()
        text = data.decode("utf-8-sig")  # the drop is UTF-8; another encoding fails here, by name
        rows = max(sum(1 for _ in csv.reader(io.StringIO(text, newline=""))) - 1, 0)
        target = self.tmp / f"{name}.csv"
        target.write_bytes(data)
        entry = FileEntry(rows=rows, sha256=hashlib.sha256(data).hexdigest())
        self.files[name] = entry
        return entry

    def commit(self, manifest: Manifest) -> tuple[Path, str]:
        """Write the manifest last, then put the folder in place: written, replaced or unchanged."""
        manifest.write(self.tmp)
        _fsync_dir(self.tmp)
        status = "written"
        if self.final.exists():
            if _same_files(self.final, self.files):
                self.discard()
                return self.final, "unchanged"
            retired = self.parent / f".{self.final.name}.replaced-{uuid.uuid4().hex[:12]}"
            os.rename(self.final, retired)
            status = "replaced"
        os.rename(self.tmp, self.final)
        _fsync_dir(self.parent)
        if status == "replaced":
            shutil.rmtree(retired, ignore_errors=True)
        return self.final, status

    def discard(self) -> None:
        shutil.rmtree(self.tmp, ignore_errors=True)


def _same_files(folder: Path, files: dict[str, FileEntry]) -> bool:
    try:
        existing = Manifest.read(folder / MANIFEST_NAME)
    except ManifestError:
        return False
    return existing.files == files


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
