"""One council's extract: readiness, one snapshot, every contract table, one drop.

The tables and columns are the contract's (`contract.TABLES`). A required table or column
the source lacks fails the extract; an optional one is left out of the drop (the contract
allows it to be absent). Local tables (`loc_*`) come from the same database unless the
council keeps them in a second one or as files.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path

from csc_pipeline.contract import TABLES, Table
from csc_pipeline.contract.delivery import default_window_start
from csc_pipeline.drops.manifest import FileEntry, Manifest
from .drop_writer import DropWriter
from .errors import ExtractError, NotReady, SourceStructureError
from .readiness import Wait, database_problems, folder_problems, wait_until_ready
from .sources import Reader, SourceSpec, check_column_type, open_reader
from .values import UnwritableValue, row_formatter

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ExtractResult:
    la_code: str
    extract_date: date
    path: Path
    status: str  # written | replaced | unchanged
    rows: dict[str, int]
    seconds: float

    def to_dict(self) -> dict:
        return {"la_code": self.la_code, "extract_date": self.extract_date.isoformat(), "path": str(self.path),
                "status": self.status, "rows": self.rows, "seconds": round(self.seconds, 2)}


def extract_drop(
    source: SourceSpec,
    *,
    la_code: str,
    extract_date: date,
    root: Path,
    la_name: str | None = None,
    source_system: str | None = None,
    ssd_version: str = "",
    local_source: SourceSpec | None = None,
    local_files: Path | None = None,
    wait: Wait | None = None,
    progress: Callable[[str], None] | None = None,
) -> ExtractResult:
    """Read every contract table of `source` in one snapshot and write the drop
    `<root>/<la_code>/<extract_date>/`; on any failure nothing is left that looks complete."""
    started = time.monotonic()
    say = progress or (lambda message: log.info("%s", message))
    local_tables = [t for t in TABLES if t.family == "local"]
    from_files = local_tables if local_files is not None else []
    from_local_db = local_tables if local_source is not None and local_files is None else []
    main_tables = [t for t in TABLES if t not in from_files and t not in from_local_db]

    with contextlib.ExitStack() as stack:
        main = stack.enter_context(open_reader(source))
        local = stack.enter_context(open_reader(local_source)) if from_local_db else None

        def problems() -> list[str]:
            found = database_problems(main, main_tables)
            if local is not None:
                found += database_problems(local, from_local_db)
            if from_files:
                found += folder_problems(local_files, from_files)
            return found

        def attempt() -> tuple[Manifest, Path, str]:
            """Every table into a temporary folder, then the manifest, then the rename."""
            writer = DropWriter(root, la_code, extract_date)
            try:
                _read_tables(main, main_tables, writer, say)
                if local is not None:
                    _read_tables(local, from_local_db, writer, say)
                for table in from_files:
                    _copy_local_file(local_files, table, writer, say)
                manifest = Manifest(
                    la_code=la_code, la_name=la_name or la_code, extract_date=extract_date,
                    extracted_at=datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
                    source_system=source_system or source.kind, ssd_version=ssd_version,
                    files={t.name: writer.files[t.name] for t in TABLES if t.name in writer.files},
                    window_start=default_window_start(extract_date),
                )
                return (manifest, *writer.commit(manifest))
            except BaseException:
                writer.discard()
                raise

        wait = wait or Wait()
        while True:
            wait_until_ready(problems, wait)
            try:
                manifest, path, status = attempt()
                break
            except NotReady as exc:  # a table rebuilt as it was read: look again, until the cut-off
                if wait.cutoff is None or wait.now().time() >= wait.cutoff:
                    raise
                log.info("%s; next look in %ss", exc, wait.poll_seconds)
                wait.sleep(wait.poll_seconds)
    seconds = time.monotonic() - started
    rows = {name: entry.rows for name, entry in manifest.files.items()}
    say(f"{la_code}/{extract_date}: {status} {path} ({sum(rows.values()):,} rows, {seconds:.1f} s)")
    return ExtractResult(la_code, extract_date, path, status, rows, seconds)


def _read_tables(reader: Reader, tables: list[Table], writer: DropWriter, say: Callable[[str], None]) -> None:
    """Every table of one source, in one snapshot."""
    spec, dialect = reader.spec, reader.dialect
    # What to read is settled from the catalog first, outside the snapshot (on SQL Server a
    # serializable transaction would otherwise hold locks on the catalog the refresh writes).
    plans = []
    for table in tables:
        ref = reader.resolve(spec.table_ref(table.name))
        if ref is None:
            if table.required:  # dropped since the readiness check
                raise NotReady(f"{spec.label}: not ready: table {spec.table_ref(table.name)} does not exist")
            say(f"{table.name}: not in {spec.label} (optional table, left out)")
            continue
        available = reader.columns(ref)
        chosen = []
        for column in table.columns:
            found = available.get(column.name.lower())
            if found is None:
                if column.optional:
                    continue
                raise SourceStructureError(f"{spec.label}: table {ref} has no column {column.name}")
            check_column_type(dialect, table, column, found, ref, spec.label)
            chosen.append((column, found))
        key = available[table.primary_key.name.lower()]
        plans.append((table, ref, chosen, dialect.select(ref, [found for _, found in chosen], key)))

    reader.begin_snapshot([ref for _, ref, _, _ in plans])
    try:
        for table, ref, chosen, sql in plans:
            cells = row_formatter([column.type == "date" for column, _ in chosen])
            try:
                entry = writer.write_table(table.name, [column.name for column, _ in chosen],
                                           (map(cells, batch) for batch in reader.stream(sql)))
            except UnwritableValue as exc:
                raise SourceStructureError(f"{spec.label}: table {ref}: {exc}") from None
            say(f"{table.name}: {entry.rows:,} rows")
    finally:
        reader.end_snapshot()


def _copy_local_file(folder: Path, table: Table, writer: DropWriter, say: Callable[[str], None]) -> FileEntry | None:
    path = folder / f"{table.name}.csv"
    if not path.is_file():
        say(f"{table.name}: no file in {folder} (optional table, left out)")
        return None
    try:
        entry = writer.copy_table(table.name, path)
    except UnicodeDecodeError:
        raise ExtractError(f"{folder}: file {path.name} is not UTF-8") from None
    say(f"{table.name}: {entry.rows:,} rows (from {folder})")
    return entry
