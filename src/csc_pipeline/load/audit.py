"""The load audit: one row per drop processed, its status, per-table counts, and the queries
every other module asks of it (the last good drop, a newer extract, the night's summary)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

import psycopg
from psycopg.types.json import Jsonb

from csc_pipeline.drops.finder import Drop
from csc_pipeline.drops.manifest import Manifest
from csc_pipeline.issues import ValidationReport


class LoadStatus(StrEnum):
    """audit.loads.status (sql/010_audit.sql checks the same list)."""

    LANDING = "landing"  # being landed, or validated with blocking problems and about to be quarantined
    VALIDATED = "validated"  # passed validation, about to be published
    PUBLISHED = "published"  # now in raw / history
    QUARANTINED = "quarantined"  # failed validation; kept for review (csc accept)
    SUPERSEDED = "superseded"  # a newer extract of the council was already loaded
    FAILED = "failed"
    ACCEPTED = "accepted"  # quarantined, then published by an operator after review


# A drop in one of these states needs no more work.
FINISHED = (LoadStatus.PUBLISHED, LoadStatus.QUARANTINED, LoadStatus.SUPERSEDED, LoadStatus.ACCEPTED)
# The drops whose data is (or was) in raw: the council's good extracts.
GOOD = (LoadStatus.PUBLISHED, LoadStatus.ACCEPTED)
_ENDED = (*FINISHED, LoadStatus.FAILED)


def start_load(conn: psycopg.Connection, drop: Drop, manifest: Manifest, run_id: str | None) -> int:
    row = conn.execute(
        """
        insert into audit.loads (la_code, la_name, extract_date, window_start, source_system, ssd_version,
                                 drop_path, manifest_sha256, status, run_id)
        values (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)
        returning load_id
        """,
        (drop.la_code, manifest.la_name, drop.extract_date, manifest.window_start, manifest.source_system,
         manifest.ssd_version, str(drop.path), drop.manifest_sha256, LoadStatus.LANDING, run_id),
    ).fetchone()
    return int(row[0])


def set_status(conn: psycopg.Connection, load_id: int, status: LoadStatus, message: str | None = None) -> None:
    conn.execute(
        "update audit.loads set status = %s, message = coalesce(%s, message),"
        " finished_at = case when %s then now() else finished_at end where load_id = %s",
        (LoadStatus(status), message, status in _ENDED, load_id),
    )


def fail_interrupted_loads(conn: psycopg.Connection, run_id: str | None) -> int:
    """Loads another run left landing or validated (it was killed, or the server restarted) end as
    failed, so none stays unfinished for ever; their drops are pending again. Returns how many."""
    return conn.execute(
        "update audit.loads set status = %s, finished_at = now(), message = %s"
        " where status = any(%s) and run_id is distinct from %s",
        (LoadStatus.FAILED, "interrupted: the run stopped before this load finished; the drop is taken again",
         [str(LoadStatus.LANDING), str(LoadStatus.VALIDATED)], run_id),
    ).rowcount


def record_validation(conn: psycopg.Connection, load_id: int, success: bool, report: dict) -> None:
    conn.execute(
        """
        insert into audit.validation_results (load_id, success, report) values (%s, %s, %s)
        on conflict (load_id) do update set success = excluded.success, report = excluded.report,
                                            validated_at = now()
        """,
        (load_id, success, Jsonb(report)),
    )


def record_validation_outcome(conn: psycopg.Connection, load_id: int, report: ValidationReport) -> None:
    """The report, and the status it leads to: validated, or still landing until quarantined."""
    record_validation(conn, load_id, report.success, report.to_dict())
    set_status(conn, load_id, LoadStatus.VALIDATED if report.success else LoadStatus.LANDING)


@dataclass(frozen=True)
class LoadRecord:
    load_id: int
    la_code: str
    extract_date: date
    drop_path: str
    manifest_sha256: str
    status: str
    report: dict | None  # the stored validation report


def load_record(conn: psycopg.Connection, load_id: int) -> LoadRecord | None:
    row = conn.execute(
        "select l.load_id, l.la_code, l.extract_date, l.drop_path, l.manifest_sha256, l.status, v.report"
        " from audit.loads l left join audit.validation_results v using (load_id) where l.load_id = %s",
        (load_id,)).fetchone()
    return LoadRecord(*row) if row else None


def record_acceptance(conn: psycopg.Connection, load_id: int, *, operator: str, reason: str, rules: list[str],
                      mode: str, stored: ValidationReport, final: ValidationReport) -> int:
    """The load becomes `accepted`; audit.acceptances keeps who, why, which rules and how."""
    set_status(conn, load_id, LoadStatus.ACCEPTED, f"accepted by {operator} ({', '.join(rules)}): {reason}")
    record_validation(conn, load_id, True, final.to_dict())
    return conn.execute(
        "insert into audit.acceptances (load_id, operator, reason, accepted_rules, mode, report)"
        " values (%s, %s, %s, %s, %s, %s) returning acceptance_id",
        (load_id, operator, reason, rules, mode, Jsonb(stored.to_dict()))).fetchone()[0]


def record_fingerprint(conn: psycopg.Connection, load_id: int, fingerprint: str) -> None:
    conn.execute("update audit.loads set fingerprint = %s where load_id = %s", (fingerprint, load_id))


@dataclass(frozen=True)
class LastDelivery:
    """The last finished load of a council's extract date: the delivery now standing for that date."""

    manifest_sha256: str
    status: str
    fingerprint: str | None


def last_deliveries(conn: psycopg.Connection) -> dict[tuple[str, date], LastDelivery]:
    """(la_code, extract_date) -> its last finished load."""
    rows = conn.execute(
        "select distinct on (la_code, extract_date) la_code, extract_date, manifest_sha256, status, fingerprint"
        " from audit.loads where status = any(%s) order by la_code, extract_date, load_id desc",
        ([str(s) for s in FINISHED],)).fetchall()
    return {(la, day): LastDelivery(sha, status, fp) for la, day, sha, status, fp in rows}


def pending_drops(conn: psycopg.Connection, drops: list[Drop]) -> list[Drop]:
    """The drops the warehouse has not finished with: a date not loaded yet, a delivery other than
    the one last loaded for its date (a correction, or an earlier delivery sent again: publishing
    finds which), or the quarantined one whose files have changed since (a fixed resend)."""
    from csc_pipeline.drops.fingerprint import current_fingerprint

    last = last_deliveries(conn)
    pending = []
    for d in drops:
        done = last.get((d.la_code, d.extract_date))
        if done is None or done.manifest_sha256 != d.manifest_sha256:
            pending.append(d)
        elif done.status == LoadStatus.QUARANTINED and done.fingerprint is not None \
                and current_fingerprint(d.path, d.manifest_sha256) != done.fingerprint:
            pending.append(d)
    return pending


def replaced_delivery(conn: psycopg.Connection, drop: Drop) -> int | None:
    """When this delivery (same manifest) of the date was loaded before and a later delivery of the
    same date has been loaded since (the correction), the correction's load id: the original sent
    again stays superseded."""
    row = conn.execute(
        """
        select later.load_id from audit.loads earlier
        join audit.loads later on later.la_code = earlier.la_code and later.extract_date = earlier.extract_date
             and later.load_id > earlier.load_id and later.manifest_sha256 <> earlier.manifest_sha256
        where earlier.la_code = %s and earlier.extract_date = %s and earlier.manifest_sha256 = %s
          and earlier.status = any(%s) and later.status = any(%s)
        order by later.load_id desc limit 1
        """,
        (drop.la_code, drop.extract_date, drop.manifest_sha256, [str(s) for s in FINISHED],
         [str(s) for s in GOOD])).fetchone()
    return int(row[0]) if row else None


def newer_good_extract(conn: psycopg.Connection, la_code: str, extract_date: date) -> date | None:
    """The council's latest good extract date when it is after `extract_date`, else None."""
    return conn.execute(
        "select max(extract_date) from audit.loads where la_code = %s and status = any(%s) and extract_date > %s",
        (la_code, [str(s) for s in GOOD], extract_date),
    ).fetchone()[0]


def last_good_row_counts(conn: psycopg.Connection, la_code: str) -> dict[str, int]:
    """Rows per table in the council's last good drop (published or accepted), from audit.load_tables."""
    rows = conn.execute(
        """
        select t.table_name, t.row_count from audit.load_tables t
        where t.present and t.load_id = (
            select load_id from audit.loads where la_code = %s and status = any(%s)
            order by extract_date desc, load_id desc limit 1)
        """,
        (la_code, [str(s) for s in GOOD]),
    ).fetchall()
    return {name: int(n) for name, n in rows}


@dataclass(frozen=True)
class DropOutcome:
    la_code: str
    extract_date: date
    load_id: int
    status: str
    line: str  # what happened, counts only


def drop_outcomes(conn: psycopg.Connection, *, extract_date: date | None = None,
                  run_id: str | None = None) -> list[DropOutcome]:
    """One outcome per load of that night (extract date) or of that run: its status and what
    changed (counts only), quarantines first."""
    where, value = ("l.extract_date = %s", extract_date) if run_id is None else ("l.run_id = %s", run_id)
    rows = conn.execute(
        f"""
        select l.la_code, l.extract_date, l.load_id, l.status, coalesce(sum(t.row_count), 0),
               coalesce(sum(t.rows_added), 0), coalesce(sum(t.rows_corrected), 0),
               coalesce(sum(t.rows_deleted), 0), coalesce(sum(t.rows_aged_out), 0), l.message,
               coalesce(sum(t.rows_emptied), 0),
               array(select m.table_name || '.' || c from audit.load_tables m, unnest(m.columns_missing) c
                     where m.load_id = l.load_id order by 1)
        from audit.loads l left join audit.load_tables t using (load_id)
        where {where}
        group by l.load_id order by l.status <> 'quarantined', l.la_code, l.extract_date, l.load_id
        """,
        (value,),
    ).fetchall()
    out = []
    for la, day, load_id, status, total, added, corrected, deleted, aged, message, emptied, missing in rows:
        label = la if run_id is None else f"{la}/{day}"
        if status == LoadStatus.PUBLISHED:
            line = (f"{label}: published {total:,} rows ({added:,} new or changed, {corrected:,} corrected, "
                    f"{deleted:,} deleted, {aged:,} aged out)")
        else:
            line = f"{label}: {status}" + (f" — {message}" if message else "")
        if missing:  # contract column names only
            line += (f"; columns missing from the files, loaded empty: {', '.join(missing)}"
                     + (f" ({emptied:,} rows emptied of values the last drop had)" if emptied else ""))
        out.append(DropOutcome(la, day, load_id, status, line))
    return out


def night_summary(conn: psycopg.Connection, extract_date: date) -> list[str]:
    """One line per drop of that night: its outcome and what changed (counts only)."""
    return [o.line for o in drop_outcomes(conn, extract_date=extract_date)]


def record_run_summary(conn: psycopg.Connection, run_id: str, outcomes: list[DropOutcome],
                       unfinished: list[str]) -> None:
    """Keep the run's summary (audit.night_runs): counts per status and its lines."""
    counts = {str(s): sum(o.status == s for o in outcomes) for s in LoadStatus}
    conn.execute(
        """
        insert into audit.night_runs (run_id, drops, published, quarantined, superseded, unfinished, lines)
        values (%s, %s, %s, %s, %s, %s, %s)
        on conflict (run_id) do update set finished_at = now(), drops = excluded.drops,
            published = excluded.published, quarantined = excluded.quarantined,
            superseded = excluded.superseded, unfinished = excluded.unfinished, lines = excluded.lines
        """,
        (run_id, len(outcomes), counts["published"], counts["quarantined"], counts["superseded"],
         len(unfinished), [o.line for o in outcomes] + unfinished),
    )
