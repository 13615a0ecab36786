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
from dataclasses import dataclass
from pathlib import Path

import psycopg

from csc_pipeline import deployment
from csc_pipeline.alerts import messages, send_alert
from csc_pipeline.drops.finder import Drop
from csc_pipeline.issues import ValidationReport
from csc_pipeline.load import audit
from csc_pipeline.load.promote import publish_drop
from csc_pipeline.load.quarantine import move_to_quarantine, restored_drop
from csc_pipeline.validate.acceptance import AcceptRefused, as_accepted, rules_to_accept, with_stored_landing_issues
from csc_pipeline.warehouse import connection

log = logging.getLogger(__name__)

__all__ = ["AcceptRefused", "Acceptance", "accept_drop"]


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
                rules: list[str] | None = None, config: deployment.Deployment | None = None) -> Acceptance:
    reason, operator = reason.strip(), operator.strip()
    if len(reason) < 10:
        raise AcceptRefused("give a reason of at least 10 characters: it is kept in audit.acceptances")
    if not operator:
        raise AcceptRefused("name the operator accepting the drop (--operator)")
    config = config or deployment.current()
    dsn = connection.warehouse_dsn(config)
    with psycopg.connect(dsn, autocommit=True) as conn:
        load = audit.load_record(conn, load_id)
        if load is None:
            raise AcceptRefused(f"there is no load {load_id} (see `csc validation list`)")
        if load.status != audit.LoadStatus.QUARANTINED:
            raise AcceptRefused(f"load {load_id} is {load.status}; only a quarantined drop can be accepted")
        if load.report is None:
            raise AcceptRefused(f"load {load_id} has no validation report to review")
        newer = audit.newer_good_extract(conn, load.la_code, load.extract_date)
        if newer is not None:
            raise AcceptRefused(f"a newer extract of {load.la_code} ({newer}) is already published: "
                                "this one would be superseded, not loaded")
        report = ValidationReport.from_dict(load.report)
        accepted = rules_to_accept(report, rules)

        drop = Drop(Path(load.drop_path), load.la_code, load.extract_date, load.manifest_sha256)
        landed = restored_drop(conn, drop, load_id)
        try:
            final = as_accepted(report, accepted) if as_is else _revalidate(dsn, landed, report, accepted, config)
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
                if result.status != audit.LoadStatus.PUBLISHED:
                    raise AcceptRefused(result.message)
                acceptance_id = audit.record_acceptance(conn, load_id, operator=operator, reason=reason,
                                                        rules=accepted, mode=mode, stored=report, final=final)
        except BaseException:
            move_to_quarantine(conn, landed.schema, load_id)  # nothing was published
            raise
    send_alert(messages.accepted(load.la_code, str(load.extract_date), load_id, operator, accepted, reason),
               config.alerts)
    log.info("load %s accepted by %s (%s)", load_id, operator, ", ".join(accepted))
    return Acceptance(acceptance_id, load_id, load.la_code, str(load.extract_date), accepted, mode, final)


def _revalidate(dsn: str, landed, stored: ValidationReport, accepted: list[str],
                config: deployment.Deployment) -> ValidationReport:
    from csc_pipeline.validate.gate import validate_drop  # Great Expectations: only when validating

    fresh = validate_drop(dsn, landed.schema, tables_present=sorted(landed.tables), la_code=landed.drop.la_code,
                          extract_date=landed.drop.extract_date, config=config.for_council(landed.drop.la_code),
                          accepted_rules=accepted)
    return with_stored_landing_issues(stored, fresh, accepted)
