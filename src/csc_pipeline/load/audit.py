"""The load audit: one row per drop processed, its state and per-table counts."""

from __future__ import annotations

import psycopg
from psycopg.types.json import Jsonb

from csc_pipeline.drops.finder import Drop
from csc_pipeline.drops.manifest import Manifest


def start_load(conn: psycopg.Connection, drop: Drop, manifest: Manifest, run_id: str | None) -> int:
    row = conn.execute(
        """
        insert into audit.loads (la_code, la_name, extract_date, window_start, source_system, ssd_version,
                                 drop_path, manifest_sha256, status, run_id)
        values (%s, %s, %s, %s, %s, %s, %s, %s, 'landing', %s)
        returning load_id
        """,
        (drop.la_code, manifest.la_name, drop.extract_date, manifest.window_start, manifest.source_system,
         manifest.ssd_version, str(drop.path), drop.manifest_sha256, run_id),
    ).fetchone()
    return int(row[0])


def set_status(conn: psycopg.Connection, load_id: int, status: str, message: str | None = None) -> None:
    finished = status in ("published", "quarantined", "superseded", "failed", "accepted")
    conn.execute(
        "update audit.loads set status = %s, message = coalesce(%s, message),"
        " finished_at = case when %s then now() else finished_at end where load_id = %s",
        (status, message, finished, load_id),
    )


def record_validation(conn: psycopg.Connection, load_id: int, success: bool, report: dict) -> None:
    conn.execute(
        """
        insert into audit.validation_results (load_id, success, report) values (%s, %s, %s)
        on conflict (load_id) do update set success = excluded.success, report = excluded.report,
                                            validated_at = now()
        """,
        (load_id, success, Jsonb(report)),
    )
