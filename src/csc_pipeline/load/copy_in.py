"""Copying in: COPY each file of a drop into the drop's own schema, every column as text.

Nothing is parsed or cast here (that happens in SQL, where a bad value cannot be
echoed into a log): each table gets one text column per header of its file,
plus la_code, extract_date and source_row (the CSV record number, 1 = first
data row). Database errors are reported by table and line number only, because
PostgreSQL's own COPY messages quote the offending line.
"""

from __future__ import annotations

import codecs
import csv
import io
import logging
import re
from datetime import datetime, timezone
from dataclasses import asdict, dataclass, field
from pathlib import Path

import psycopg
from psycopg import sql

from csc_pipeline.contract import TABLES_BY_NAME
from csc_pipeline.drops.clock import future_problem
from csc_pipeline.drops.fingerprint import csv_files, current_fingerprint
from csc_pipeline.drops.finder import REFUSED, Drop
from csc_pipeline.drops.safe_paths import is_refused_file
from csc_pipeline.contract.loaded import LOAD_COLUMN_DEFS
from csc_pipeline.contract.delivery import LA_CODE_PATTERN, MANIFEST_NAME, default_window_start
from csc_pipeline.deployment import Deployment
from csc_pipeline.drops.manifest import Manifest, ManifestError, sha256_of
from csc_pipeline.issues import Issue, make_issue

from . import audit

log = logging.getLogger(__name__)

_PG_ENCODINGS = {
    "utf8": "UTF8", "utf-8": "UTF8", "utf-8-sig": "UTF8", "utf_8": "UTF8",
    "cp1252": "WIN1252", "windows-1252": "WIN1252", "win1252": "WIN1252",
    "latin-1": "LATIN1", "latin1": "LATIN1", "iso-8859-1": "LATIN1",
}


# character_not_in_repertoire, untranslatable_character: bytes the declared encoding has no character for.
_ENCODING_ERRORS = ("22021", "22P05")


@dataclass
class LandedDrop:
    drop: Drop
    load_id: int
    schema: str
    # table -> the (normalised) column names its file had
    tables: dict[str, list[str]] = field(default_factory=dict)
    row_counts: dict[str, int] = field(default_factory=dict)
    sha256: dict[str, str] = field(default_factory=dict)
    issues: list[Issue] = field(default_factory=list)
    superseded: str = ""  # why the drop was not landed at all: an earlier delivery sent again

    def to_dict(self) -> dict:
        return {
            "drop": self.drop.to_dict(), "load_id": self.load_id, "schema": self.schema,
            "tables": self.tables, "row_counts": self.row_counts, "sha256": self.sha256,
            "issues": [asdict(i) for i in self.issues], "superseded": self.superseded,
        }

    @classmethod
    def from_dict(cls, d: dict) -> "LandedDrop":
        return cls(Drop.from_dict(d["drop"]), d["load_id"], d["schema"], d["tables"], d["row_counts"],
                   d["sha256"], [Issue(**i) for i in d["issues"]], d.get("superseded", ""))


def unreadable_manifest(drop: Drop) -> Manifest:
    """What is recorded for a drop whose manifest cannot be read: its folder's council and date."""
    return Manifest(la_code=drop.la_code, la_name=drop.la_code, extract_date=drop.extract_date, extracted_at="",
                    source_system="", ssd_version="", files={},
                    window_start=default_window_start(drop.extract_date))


def normalise_header(name: str) -> str:
    """Headers match the contract ignoring letter case and surrounding spaces."""
    return name.strip().lower()


def landed_names(headers: list[str], contract: list[str]) -> list[str]:
    """The landed table's column names: a header that is the contract's keeps its name, any other
    is named by its position (`_column_7`). A header that is not the contract's never becomes an
    identifier or SQL text: a file without its header row would make a child's record its names."""
    return [h if h in contract else f"{UNKNOWN_COLUMN_PREFIX}{n}" for n, h in enumerate(headers, 1)]


UNKNOWN_COLUMN_PREFIX = "_column_"


# Landing problems after which the drop's tables are not read at all.
NOT_READ = ("manifest_unreadable", "la_code_unknown", "unsupported_encoding", "extract_in_future")


def not_read(issues: list[Issue]) -> bool:
    """Whether landing read none of the drop's tables (so no table can be checked): a problem of
    NOT_READ, or the drop's folder or manifest refused as a link."""
    return any(i.rule in NOT_READ or (i.rule == "unsafe_path" and i.table == MANIFEST_NAME) for i in issues)


def land(conn: psycopg.Connection, drop: Drop, deployment: Deployment, run_id: str | None,
         *, now: datetime | None = None) -> LandedDrop:
    """Record the load as started, then COPY the drop in, if the deployment accepts it.

    A drop that cannot be landed (reached through a link, unreadable manifest, council not
    accepted, dated after the run) is still recorded, with the reason, so that validation blocks
    it and it is quarantined and alerted on: nothing is read from a drop the pipeline does not accept."""
    if drop.manifest_sha256 == REFUSED:
        manifest, issues = unreadable_manifest(drop), [make_issue("unsafe_path", MANIFEST_NAME, message=(
            "the council folder, the date folder or the manifest is a symbolic link: refused, nothing read"))]
    else:
        try:
            manifest, issues = drop.manifest, []
        except ManifestError as exc:
            log.error("drop %s/%s: %s", drop.la_code, drop.extract_date, exc)
            manifest, issues = unreadable_manifest(drop), [make_issue("manifest_unreadable", MANIFEST_NAME)]
    load_id = audit.start_load(conn, drop, manifest, run_id)
    correction = audit.replaced_delivery(conn, drop)
    if correction is not None:
        # Neither validated nor alerted as a bad drop: it was dealt with when its correction came.
        message = (f"superseded: an earlier delivery of {drop.extract_date:%Y-%m-%d} sent again; its correction "
                   f"(load {correction}) stays loaded")
        audit.set_status(conn, load_id, audit.LoadStatus.SUPERSEDED, message)
        return LandedDrop(drop, load_id, drop.landing_schema, superseded=message)
    if not deployment.accepts(drop.la_code) or not LA_CODE_PATTERN.match(manifest.la_code):
        issues.append(make_issue("la_code_unknown", MANIFEST_NAME))
    if not issues:
        problem = future_problem(max(drop.extract_date, manifest.extract_date), manifest.extracted_at,
                                 now=now or datetime.now(timezone.utc),
                                 tolerance_hours=deployment.future_tolerance_hours)
        if problem:
            issues.append(make_issue("extract_in_future", MANIFEST_NAME, message=problem))
    if issues:
        audit.record_fingerprint(conn, load_id, current_fingerprint(drop.path, drop.manifest_sha256))
        return LandedDrop(drop, load_id, drop.landing_schema, issues=issues)
    landed = land_drop(conn, drop, manifest, load_id)
    audit.record_fingerprint(conn, load_id, current_fingerprint(drop.path, drop.manifest_sha256, landed.sha256))
    if manifest.la_code != drop.la_code or manifest.extract_date != drop.extract_date:
        landed.issues.append(make_issue("manifest_folder_mismatch", MANIFEST_NAME))
    log.info("landed %s/%s: %d tables, %d rows", drop.la_code, drop.extract_date,
             len(landed.tables), sum(landed.row_counts.values()))
    return landed


def land_drop(conn: psycopg.Connection, drop: Drop, manifest: Manifest, load_id: int) -> LandedDrop:
    """Create the drop's staging schema afresh and COPY every contract file present into it."""
    landed = LandedDrop(drop, load_id, drop.landing_schema)
    schema = sql.Identifier(landed.schema)
    pg_encoding = _PG_ENCODINGS.get(manifest.encoding.lower())
    if pg_encoding is None:
        landed.issues.append(make_issue("unsupported_encoding", MANIFEST_NAME, "encoding"))
        return landed
    with conn.transaction():
        conn.execute(sql.SQL("drop schema if exists {} cascade").format(schema))
        conn.execute(sql.SQL("create schema {}").format(schema))

    files = csv_files(drop.path)
    for name in sorted(files):
        if is_refused_file(files[name], drop.path):
            landed.issues.append(make_issue("unsafe_path", files[name].name if name not in TABLES_BY_NAME else name))
            continue
        if name not in TABLES_BY_NAME:
            landed.issues.append(make_issue("unknown_table", files[name].name))
            continue
        _land_file(conn, landed, name, files[name], manifest, pg_encoding)
    for name in sorted(set(manifest.files) - set(files)):
        landed.issues.append(make_issue("manifest_missing_file", name))
    return landed


def _land_file(conn, landed: LandedDrop, table: str, path: Path, manifest: Manifest, pg_encoding: str) -> None:
    entry = manifest.files.get(table)
    checksum = sha256_of(path)
    landed.sha256[table] = checksum
    if entry is None:
        landed.issues.append(make_issue("file_not_in_manifest", table))
    elif entry.sha256 != checksum:
        landed.issues.append(make_issue("manifest_checksum", table))

    if path.stat().st_size == 0:
        landed.issues.append(make_issue("file_empty", table))
        return
    header = _read_header(path, manifest.encoding)
    if header is None:
        landed.issues.append(make_issue("file_encoding", table, message=(
            f"header row is not valid {manifest.encoding}; if the file is cp1252, declare "
            '"encoding": "cp1252" in the manifest')))
        return
    contract = TABLES_BY_NAME[table].column_names
    names = [normalise_header(h) for h in header]
    repeated = [n for n, c in enumerate(names, 1) if c in contract and names.count(c) > 1]
    if repeated:
        landed.issues.append(make_issue(
            "duplicate_header", table, ", ".join(sorted({names[n - 1] for n in repeated})), message=(
                f"duplicate column header at positions {', '.join(map(str, repeated[:10]))}"
                f"{', …' if len(repeated) > 10 else ''}")))
        return
    columns = landed_names(names, contract)

    target = sql.Identifier(landed.schema, table)
    ddl = sql.SQL("create table {} ({}, {})").format(
        target, _landed_load_columns(landed.drop),
        sql.SQL(", ").join(sql.SQL("{} text").format(sql.Identifier(c)) for c in columns))
    copy = sql.SQL("copy {} ({}) from stdin with (format csv, header true, encoding {})").format(
        target, sql.SQL(", ").join(map(sql.Identifier, columns)), sql.Literal(pg_encoding))
    try:
        with conn.transaction(), conn.cursor() as cur:
            cur.execute(ddl)
            with cur.copy(copy) as cp, path.open("rb") as fh:
                for chunk in iter(lambda: fh.read(1 << 20), b""):
                    cp.write(chunk)
            rows = cur.rowcount
    except psycopg.Error as exc:
        # Report where, never what: the server's message can quote the line.
        line = _line_number(exc)
        where = f" at line {line}" if line else ""
        if exc.sqlstate in _ENCODING_ERRORS:
            landed.issues.append(make_issue(
                "file_encoding", table, sample_rows=[line] if line else [],
                message=f"bytes that are not valid {manifest.encoding}{where} (SQLSTATE {exc.sqlstate}); if the "
                        'file is cp1252, declare "encoding": "cp1252" in the manifest'))
        else:
            landed.issues.append(make_issue(
                "unreadable_file", table, sample_rows=[line] if line else [],
                message=f"file is not valid CSV in its declared encoding: rejected (SQLSTATE {exc.sqlstate}){where}"))
        log.warning("COPY of %s failed (SQLSTATE %s)", path.name, exc.sqlstate)
        return
    landed.tables[table] = columns
    landed.row_counts[table] = rows
    if entry is not None and entry.rows != rows:
        landed.issues.append(make_issue("manifest_row_count", table,
                                        message=f"manifest says {entry.rows} records, the file has {rows}"))


def _landed_load_columns(drop: Drop) -> sql.Composable:
    """The load columns of a landing table (contract/loaded.py): la_code and extract_date stamped
    as defaults, source_row numbering the records as COPY reads them."""
    defaults = {"la_code": sql.Literal(drop.la_code), "extract_date": sql.Literal(drop.extract_date)}
    parts = []
    for c in LOAD_COLUMN_DEFS:
        if not c.landed:
            continue
        if c.name in defaults:
            parts.append(sql.SQL("{} {} not null default {}").format(
                sql.Identifier(c.name), sql.SQL(c.sql_type), defaults[c.name]))
        else:  # the record number
            parts.append(sql.SQL("{} {} generated always as identity").format(sql.Identifier(c.name), sql.SQL(c.sql_type)))
    return sql.SQL(", ").join(parts)


def _read_header(path: Path, encoding: str) -> list[str] | None:
    # utf-8-sig strips a byte-order mark when there is one.
    try:
        enc = "utf-8-sig" if codecs.lookup(encoding).name == "utf-8" else encoding
    except LookupError:
        enc = "cp1252" if "1252" in encoding else encoding
    try:
        with path.open("rb") as fh:  # the first line only: a bad byte further on is COPY's to report
            first = fh.readline()
        return next(csv.reader(io.StringIO(first.decode(enc))), None)
    except (UnicodeDecodeError, LookupError, csv.Error):
        return None


def _line_number(exc: psycopg.Error) -> int | None:
    context = getattr(exc.diag, "context", None) or ""
    match = re.search(r"line (\d+)", context)
    return int(match.group(1)) if match else None


class LandingSchemaError(ValueError):
    pass


_SCHEMA_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def landed_columns(conn: psycopg.Connection, landing_schema: str, tables: list[str]) -> dict[str, list[str]]:
    if not _SCHEMA_NAME.match(landing_schema):
        raise LandingSchemaError(f"{landing_schema!r} is not a landing schema name (lower case letters, digits, _).")
    columns: dict[str, list[str]] = {}
    for table, column in conn.execute(
        "select table_name, column_name from information_schema.columns where table_schema = %s"
        " order by table_name, ordinal_position", (landing_schema,)
    ):
        columns.setdefault(table, []).append(column)
    if not columns and not conn.execute(
        "select 1 from information_schema.schemata where schema_name = %s", (landing_schema,)
    ).fetchone():
        raise LandingSchemaError(f"Landing schema {landing_schema} does not exist: land the drop first.")
    missing = [t for t in tables if t not in columns]
    if missing:
        raise LandingSchemaError(
            f"Landing schema {landing_schema} has no table {', '.join(missing)}, "
            "though the drop lists it: land the drop again."
        )
    return {t: columns[t] for t in tables}
