"""The night's steps, one function per task of the `csc_nightly` DAG: each composes the steps below.

Each takes and returns plain JSON-able values (they travel between Airflow tasks as XCom), reads
the deployment once (`deployment.current()`) and opens its own warehouse connection. The rules
live in the modules they call: which drops are pending and accepted (drops/, load/), the gate and
its Data Docs policy (validate/gate.py), statuses and audit queries (load/audit.py), alert wording
(alerts/messages.py). The DAG file only wires these together.
"""

from __future__ import annotations

import logging
import time
from datetime import date, datetime
from zoneinfo import ZoneInfo

from csc_pipeline import deployment
from csc_pipeline.alerts import messages, send_alert
from csc_pipeline.drops.finder import Drop, find_drops
from csc_pipeline.issues import ValidationReport
from csc_pipeline.load import audit, copy_in
from csc_pipeline.load.copy_in import LandedDrop
from csc_pipeline.load.promote import publish_drop
from csc_pipeline.load.quarantine import quarantine_drop
from csc_pipeline.warehouse import connection, schema

log = logging.getLogger(__name__)
LONDON = ZoneInfo("Europe/London")


def prepare_warehouse() -> None:
    """Apply the warehouse DDL (idempotent) so every run starts from the current schema."""
    config = deployment.current()
    with connection.connect(connection.warehouse_dsn(config)) as conn:
        schema.initialise(conn, config)


def wait_for_drops(*, up_to: date | None = None, now=None, sleep=time.sleep) -> list[dict]:
    """Pending drops, oldest first; waits for every expected council's manifest up to the cut-off.

    Without a list of expected councils there is nothing to wait for: the run takes what has arrived.
    Drops from councils the deployment does not list are still taken: landing blocks them
    (la_code_unknown) and the data team is alerted, rather than them vanishing unseen.
    """
    config = deployment.current()
    now = now or (lambda: datetime.now(LONDON))
    while True:
        drops = find_drops(config.landing_root, up_to=up_to)
        extracts = config.extract_root  # drops extracted from councils' databases, scanned alike
        if extracts.is_dir() and extracts.resolve() != config.landing_root.resolve():
            drops = sorted(drops + find_drops(extracts, up_to=up_to), key=lambda d: (d.la_code, d.extract_date))
        with connection.connect(connection.warehouse_dsn(config)) as conn:
            drops = audit.pending_drops(conn, drops)
        arrived = {d.la_code for d in drops}
        missing = [c for c in config.expected_councils if c not in arrived]
        if not missing or now().time() >= config.cutoff:
            for council in missing:
                log.warning("cut-off %s reached; no new extract from %s", config.cutoff, council)
                send_alert(messages.missing_extract(council, config.cutoff), config.alerts)
            log.info("%d pending drop(s): %s", len(drops),
                     ", ".join(f"{d.la_code}/{d.extract_date}" for d in drops) or "none")
            return [d.to_dict() for d in drops]
        log.info("waiting for %s (cut-off %s)", ", ".join(missing), config.cutoff)
        sleep(config.poll_seconds)


def land(drop_dicts: list[dict], run_id: str | None = None) -> list[dict]:
    """COPY each pending drop into its own landing schema; record the load as started."""
    config = deployment.current()
    with connection.connect(connection.warehouse_dsn(config), autocommit=True) as conn:
        interrupted = audit.fail_interrupted_loads(conn, run_id)
        if interrupted:
            log.warning("%d load(s) of an interrupted run marked failed; their drops are taken again", interrupted)
        return [copy_in.land(conn, Drop.from_dict(d), config, run_id).to_dict() for d in drop_dicts]


def validate(landed_dicts: list[dict]) -> list[dict]:
    """Check each landed drop against the contract in the warehouse (the gate), with the
    council's settings and label mapping."""
    from csc_pipeline.validate.gate import validate_landed  # Great Expectations: only when validating

    config = deployment.current()
    dsn = connection.warehouse_dsn(config)
    out = []
    with connection.connect(dsn, autocommit=True) as conn:
        for d in landed_dicts:
            landed = LandedDrop.from_dict(d)
            result = validate_landed(conn, dsn, landed, config.for_council(landed.drop.la_code))
            out.append({"landed": landed.to_dict(), "passed": result.report.success,
                        "report": result.report.to_dict(),
                        "data_docs": str(result.data_docs) if result.data_docs else None})
    return out


def publish(validated: list[dict]) -> list[dict]:
    """Publish passing drops in date order per council; quarantine the rest."""
    config = deployment.current()
    results = []
    ordered = sorted(validated, key=lambda v: (v["landed"]["drop"]["la_code"], v["landed"]["drop"]["extract_date"]))
    with connection.connect(connection.warehouse_dsn(config)) as conn:
        for v in ordered:
            landed = LandedDrop.from_dict(v["landed"])
            la_code, extract_date = landed.drop.la_code, str(landed.drop.extract_date)
            label = f"{la_code}/{extract_date}"
            if not v["passed"]:
                blocking = ValidationReport.from_dict(v["report"]).blocking
                summary = messages.quarantine_summary(blocking)
                quarantine_drop(conn, landed, summary)
                log.error("quarantined %s: %s", label, summary)
                send_alert(messages.quarantined(la_code, extract_date, blocking, v.get("data_docs")), config.alerts)
                results.append({"drop": label, "status": str(audit.LoadStatus.QUARANTINED), "load_id": landed.load_id})
                continue
            result = publish_drop(conn, landed)
            added = sum(c["added"] for c in result.changes.values())
            removed = sum(c["removed"] for c in result.changes.values())
            log.info("%s %s: %d rows added, %d removed since the last good snapshot",
                     result.status, label, added, removed)
            if result.status == audit.LoadStatus.SUPERSEDED:
                send_alert(messages.superseded(la_code, extract_date, result.message), config.alerts)
            results.append({"drop": label, "status": str(result.status), "load_id": result.load_id,
                            "rows_added": added, "rows_removed": removed, "message": result.message})
    return results


def transform() -> dict:
    """dbt build into the build schema, with the councils' own settings (IRO roles) from the
    deployment: every model, data test, unit test and contract; the published marts do not change."""
    from csc_pipeline.transform.council_settings import sync_iro_roles
    from csc_pipeline.transform.dbt_runner import DbtBuildError, build, last_build_dir
    from csc_pipeline.transform.publication import BUILD_SCHEMA, last_good_load, prepare_build

    config = deployment.current()
    dsn = connection.warehouse_dsn(config)
    with connection.connect(dsn, autocommit=True) as conn:
        sync_iro_roles(conn, config)
        prepare_build(conn)
        through = last_good_load(conn)
    try:
        build(dsn, marts_schema=BUILD_SCHEMA, target_path=last_build_dir(config.state_dir))
    except DbtBuildError as exc:
        send_alert(messages.transform_failed(exc.failed), config.alerts)
        raise
    return {"through_load_id": through}


def publish_marts(built: dict | None = None) -> dict:
    """Switch the night's build in as the published marts and record the publication, in one
    transaction; say what the marts now serve."""
    from csc_pipeline.transform.publication import marts_summary, switch_in

    config = deployment.current()
    with connection.connect(connection.warehouse_dsn(config)) as conn:
        publication = switch_in(conn, through_load_id=(built or {}).get("through_load_id"))
        summary = marts_summary(conn, publication.publication_id)
    for la, info in summary.items():
        log.info("marts.performance_measures for %s: %d rows from the %s extract (publication %s)", la,
                 info["rows"], info["source_extract_date"], info["publication_id"])
    return summary
