"""Accepting a quarantined drop after review: `csc accept --load-id N --reason "..." --operator NAME`.

Some blocking problems are real but right: a council that purges old records
genuinely shrinks a table by more than the volume threshold. After review an
operator accepts the drop:

1. the load must be quarantined, and no newer drop of the council published;
2. the blocking rules of its stored report are the ones accepted (or those named
   with --rule, which must then cover them all); rules that would break the load
   itself (a missing column, a duplicate or missing key, an unreadable file, ...:
   rules.Rule.acceptable) cannot be accepted — fix the extract instead;
3. its tables move back from quarantine into a landing schema and are validated
   again with the accepted rules reported as warnings; anything else blocking
   (the configuration may have changed) refuses the acceptance and puts the
   tables back. With --as-is the stored report is trusted and validation skipped;
4. it is published like any good drop (one transaction), its status becomes
   `accepted`, and audit.acceptances records who, why, when, which rules and how.

Every step that refuses says why and changes nothing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from pathlib import Path

import psycopg
from psycopg import sql
from psycopg.types.json import Jsonb

from csc_pipeline.alerts import Alert, send_alert
from csc_pipeline.contract import TABLES_BY_NAME
from csc_pipeline.drops.finder import Drop
from csc_pipeline.drops.manifest import sha256_of
from csc_pipeline.load import audit
from csc_pipeline.load.copy_in import LandedDrop
from csc_pipeline.load.promote import publish_drop
from csc_pipeline.load.quarantine import move_to_quarantine, restore_from_quarantine
from csc_pipeline.warehouse import connection
from csc_pipeline.deployment import load_deployment
from csc_pipeline.issues import ValidationReport
from csc_pipeline.warehouse.schema import LOAD_COLUMNS
from csc_pipeline.contract.rules import RULES

log = logging.getLogger(__name__)


class AcceptRefused(RuntimeError):
    """The drop cannot be accepted; the message says why and what to do."""


@dataclass(frozen=True)
class Acceptance:
    acceptance_id: int
    load_id: int
    la_code: str
    extract_date: str
    accepted_rules: list[str]
    mode: str
    report: ValidationReport


def accept_drop(load_id: int, *, reason: str, operator: str, as_is: bool = False,
                rules: list[str] | None = None, dsn: str | None = None) -> Acceptance:
    if len(reason.strip()) < 10:
        raise AcceptRefused("give a reason of at least 10 characters: it is kept in audit.acceptances")
    if not operator.strip():
        raise AcceptRefused("name the operator accepting the drop (--operator)")
    dsn = dsn or connection.warehouse_dsn()
    with psycopg.connect(dsn, autocommit=True) as conn:
        row = conn.execute(
            "select l.la_code, l.extract_date, l.drop_path, l.manifest_sha256, l.status, v.report"
            " from audit.loads l left join audit.validation_results v using (load_id) where l.load_id = %s",
            (load_id,)).fetchone()
        if row is None:
            raise AcceptRefused(f"there is no load {load_id} (see `csc validation list`)")
        la_code, extract_date, drop_path, manifest_sha, status, stored = row
        if status != "quarantined":
            raise AcceptRefused(f"load {load_id} is {status}; only a quarantined drop can be accepted")
        if stored is None:
            raise AcceptRefused(f"load {load_id} has no validation report to review")
        newer = conn.execute(
            "select max(extract_date) from audit.loads where la_code = %s and status in ('published', 'accepted')"
            " and extract_date > %s", (la_code, extract_date)).fetchone()[0]
        if newer is not None:
            raise AcceptRefused(f"a newer extract of {la_code} ({newer}) is already published: "
                                "this one would be superseded, not loaded")
        report = ValidationReport.from_dict(stored)
        blocking = sorted({i.rule for i in report.blocking})
        accepted = sorted(set(rules or blocking))
        unknown = [r for r in accepted if r not in RULES]
        if unknown:
            raise AcceptRefused(f"no rule {', '.join(unknown)} (see `csc validation rules`)")
        not_covered = [r for r in blocking if r not in accepted]
        if not_covered:
            raise AcceptRefused(f"the drop also breaks {', '.join(not_covered)}: accept those too or fix the extract")
        refused = [r for r in accepted if not RULES[r].acceptable]
        if refused:
            raise AcceptRefused(f"{', '.join(refused)} cannot be accepted: the drop could not be loaded as it is; "
                                "fix the extract and send it again")

        drop = Drop(Path(drop_path), la_code, extract_date, manifest_sha)
        tables = restore_from_quarantine(conn, load_id, drop.landing_schema)
        landed = _landed(conn, drop, load_id, tables)
        try:
            final = _revalidate(dsn, landed, report, accepted) if not as_is else _as_accepted(report, accepted)
        except BaseException:
            move_to_quarantine(conn, landed.schema, load_id)
            raise
        if not final.success:
            move_to_quarantine(conn, landed.schema, load_id)
            raise AcceptRefused("validated again, the drop still has blocking problems that were not accepted:\n"
                                + final.to_text())

        mode = "as_is" if as_is else "revalidated"
        try:
            with conn.transaction():
                result = publish_drop(conn, landed)
                if result.status != "published":
                    raise AcceptRefused(result.message)
                audit.set_status(conn, load_id, "accepted",
                                 f"accepted by {operator.strip()} ({', '.join(accepted)}): {reason.strip()}")
                audit.record_validation(conn, load_id, True, final.to_dict())
                acceptance_id = conn.execute(
                    "insert into audit.acceptances (load_id, operator, reason, accepted_rules, mode, report)"
                    " values (%s, %s, %s, %s, %s, %s) returning acceptance_id",
                    (load_id, operator.strip(), reason.strip(), accepted, mode, Jsonb(report.to_dict()))
                ).fetchone()[0]
        except BaseException:
            move_to_quarantine(conn, landed.schema, load_id)  # nothing was published
            raise
    send_alert(Alert(
        kind="accepted", la_code=la_code, extract_date=str(extract_date),
        title=f"{la_code}/{extract_date} extract accepted after review",
        summary=(f"{operator.strip()} accepted load {load_id} ({', '.join(accepted)}): {reason.strip()}. "
                 "It is published; the marts follow at the next dbt build."),
    ))
    log.info("load %s accepted by %s (%s)", load_id, operator, ", ".join(accepted))
    return Acceptance(acceptance_id, load_id, la_code, str(extract_date), accepted, mode, final)


def _landed(conn: psycopg.Connection, drop: Drop, load_id: int, tables: list[str]) -> LandedDrop:
    """The LandedDrop of restored tables: their file columns, row counts, and the files' checksums."""
    from csc_pipeline.validate.gate import landed_columns

    landed = LandedDrop(drop, load_id, drop.landing_schema)
    known = [t for t in tables if t in TABLES_BY_NAME]
    for table, columns in landed_columns(conn, landed.schema, known).items():
        landed.tables[table] = [c for c in columns if c not in LOAD_COLUMNS]
        landed.row_counts[table] = conn.execute(
            sql.SQL("select count(*) from {}").format(sql.Identifier(landed.schema, table))).fetchone()[0]
        path = drop.path / f"{table}.csv"
        if path.is_file():
            landed.sha256[table] = sha256_of(path)
    return landed


def _as_accepted(report: ValidationReport, accepted: list[str]) -> ValidationReport:
    issues = [replace(i, severity="warning", message=i.message + " (accepted by the operator)")
              if i.severity == "blocking" and i.rule in accepted else i for i in report.issues]
    return ValidationReport.from_issues(issues)


def _revalidate(dsn: str, landed: LandedDrop, stored: ValidationReport, accepted: list[str]) -> ValidationReport:
    """Landing problems as stored (the files were read then), the rest checked again."""
    from csc_pipeline.validate.gate import validate_drop

    config = load_deployment().for_council(landed.drop.la_code)
    fresh = validate_drop(dsn, landed.schema, tables_present=sorted(landed.tables), la_code=landed.drop.la_code,
                          extract_date=landed.drop.extract_date, config=config, accepted_rules=accepted)
    landing = [i for i in stored.issues if RULES[i.rule].level == "landing"]
    return ValidationReport.from_issues(_as_accepted(ValidationReport.from_issues(landing), accepted).issues
                                        + fresh.issues)
