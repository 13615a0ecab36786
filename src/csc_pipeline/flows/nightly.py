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


def batch_label(batch: list[dict]) -> str:
    """A mapped task's label in the grid: the council(s) of its batch (drops or landed drops)."""
    from csc_pipeline.drops.batches import batch_label as label

    return label([d.get("drop", d) for d in batch])


def pending_batches(*, up_to: date | None = None) -> list[list[dict]]:
    """The pending drops (waited for as `wait_for_drops` does), in the batches the DAG maps over:
    one per council up to the deployment's council_tasks_max, shared beyond it."""
    from csc_pipeline.drops.batches import council_batches

    drops = [Drop.from_dict(d) for d in wait_for_drops(up_to=up_to)]
    return [[d.to_dict() for d in batch] for batch in council_batches(drops, deployment.current().council_tasks_max)]


def land(drop_dicts: list[dict], run_id: str | None = None) -> list[dict]:
    """COPY each pending drop into its own landing schema; record the load as started."""
    config = deployment.current()
    with connection.connect(connection.warehouse_dsn(config), autocommit=True) as conn:
        interrupted = audit.fail_interrupted_loads(conn, run_id)
        if interrupted:
            log.warning("%d load(s) of an interrupted run marked failed; their drops are taken again", interrupted)
        return [copy_in.land(conn, Drop.from_dict(d), config, run_id).to_dict() for d in drop_dicts]


def validate(landed_dicts: list[dict]) -> list[dict]:
    """Check each landed drop against the contract in the warehouse (the gate), with the council's
    settings and label mapping; a drop with blocking problems is quarantined and alerted on here,
    where its problems are known, so the council's validate task can end failed truthfully."""
    from csc_pipeline.validate.gate import validate_landed  # Great Expectations: only when validating

    config = deployment.current()
    dsn = connection.warehouse_dsn(config)
    out = []
    with connection.connect(dsn, autocommit=True) as conn:
        for d in landed_dicts:
            landed = LandedDrop.from_dict(d)
            if landed.superseded:
                log.warning("%s/%s: %s", landed.drop.la_code, landed.drop.extract_date, landed.superseded)
                send_alert(messages.superseded(landed.drop.la_code, str(landed.drop.extract_date), landed.superseded),
                           config.alerts)
                out.append({"landed": landed.to_dict(), "passed": False, "report": None})
                continue
            result = validate_landed(conn, dsn, landed, config.for_council(landed.drop.la_code))
            data_docs = messages.data_docs_link(str(result.data_docs) if result.data_docs else None,
                                                config.defaults.data_docs_dir, config.data_docs_url)
            entry = {"landed": landed.to_dict(), "passed": result.report.success,
                     "report": result.report.to_dict(), "data_docs": data_docs}
            if not result.report.success:
                entry["quarantined"] = _quarantine(conn, landed, result.report, data_docs, config)
            out.append(entry)
    return out


def _quarantine(conn, landed: LandedDrop, report: ValidationReport, data_docs: str | None,
                config: deployment.Deployment) -> str:
    """Move the drop to quarantine and alert; returns the one-line reason."""
    la_code, extract_date = landed.drop.la_code, str(landed.drop.extract_date)
    summary = messages.quarantine_summary(report.blocking)
    quarantine_drop(conn, landed, summary)
    log.error("quarantined %s/%s: %s", la_code, extract_date, summary)
    send_alert(messages.quarantined(la_code, extract_date, landed.load_id, report.blocking, data_docs), config.alerts)
    return messages.quarantined_line(la_code, extract_date, len(report.blocking), landed.load_id)


def quarantined_in(validated: list[dict]) -> list[str]:
    """The one-line reasons of the drops `validate` quarantined."""
    return [v["quarantined"] for v in validated if v.get("quarantined")]


def publish(validated: list[dict]) -> list[dict]:
    """Publish the drops that passed (`validate`'s entries), oldest first per council."""
    return publish_landed([v["landed"] for v in validated])


def publish_landed(landed_dicts: list[dict]) -> list[dict]:
    """Publish each landed drop its validation passed, in date order per council; report those it
    quarantined. What passed is read from the audit, so this works after a failed validate task."""
    config = deployment.current()
    results = []
    ordered = sorted(landed_dicts, key=lambda d: (d["drop"]["la_code"], d["drop"]["extract_date"]))
    with connection.connect(connection.warehouse_dsn(config)) as conn:
        for d in ordered:
            landed = LandedDrop.from_dict(d)
            la_code, extract_date = landed.drop.la_code, str(landed.drop.extract_date)
            label = f"{la_code}/{extract_date}"
            record = audit.load_record(conn, landed.load_id)
            conn.commit()
            if record is None or record.status != audit.LoadStatus.VALIDATED:
                results.append({"drop": label, "status": record.status if record else "missing",
                                "load_id": landed.load_id})
                continue
            result = publish_drop(conn, landed)
            added = sum(c["added"] for c in result.changes.values())
            removed = sum(c["removed"] for c in result.changes.values())
            emptied = sum(c["emptied"] for c in result.changes.values())
            log.info("%s %s: %d rows added, %d removed since the last good snapshot%s",
                     result.status, label, added, removed,
                     f" ({emptied} emptied by a column missing from the file)" if emptied else "")
            if result.status == audit.LoadStatus.SUPERSEDED:
                send_alert(messages.superseded(la_code, extract_date, result.message), config.alerts)
            results.append({"drop": label, "status": str(result.status), "load_id": result.load_id,
                            "rows_added": added, "rows_removed": removed, "rows_emptied": emptied,
                            "message": result.message})
    return results


def summarise_night(run_id: str, batches: list[list[dict]] | None = None) -> dict:
    """What this run did to each drop, kept in audit.night_runs and logged line by line:
    quarantines first; a drop the run took but did not finish (its task failed) is named too."""
    config = deployment.current()
    with connection.connect(connection.warehouse_dsn(config)) as conn:
        outcomes = audit.drop_outcomes(conn, run_id=run_id)
        seen = {(o.la_code, str(o.extract_date)) for o in outcomes if o.status in audit.FINISHED}
        unfinished = [f"{d['la_code']}/{d['extract_date']}: not finished (see its failed task)"
                      for batch in batches or [] for d in batch if (d["la_code"], d["extract_date"]) not in seen]
        audit.record_run_summary(conn, run_id, outcomes, unfinished)
    quarantined = [o for o in outcomes if o.status == audit.LoadStatus.QUARANTINED]
    lines = [o.line for o in outcomes] + unfinished
    headline = messages.night_headline(len(outcomes) + len(unfinished), len(quarantined), len(unfinished))
    for line in [headline, *lines]:
        (log.error if quarantined or unfinished else log.info)("%s", line)
    return {"headline": headline, "lines": lines, "quarantined": len(quarantined), "unfinished": len(unfinished)}


class TransformFailed(RuntimeError):
    """The night's dbt build failed (already alerted). `final`: a model or test failed, which the
    same data repeats; otherwise dbt could not start or reach the server and a retry may do."""

    def __init__(self, summary: str, *, final: bool):
        super().__init__(summary)
        self.final = final


def transform(*, full_refresh: bool | None = None, night: date | None = None) -> dict:
    """dbt build into the build schema, with the councils' own settings (IRO roles) from the
    deployment: every model, data test, unit test and contract; the published marts do not change.
    Only the councils whose data moved are rebuilt (transform/build_plan.py), except with
    `full_refresh` (None: on the deployment's weekly full-refresh day, by `night`, default today
    in London), which rebuilds every council."""
    from csc_pipeline.transform import build_plan
    from csc_pipeline.transform.council_settings import sync_iro_roles
    from csc_pipeline.transform.dbt_runner import DbtBuildError, build, last_build_dir
    from csc_pipeline.transform.publication import BUILD_SCHEMA, last_good_load, prepare_build

    config = deployment.current()
    if full_refresh is None:
        full_refresh = config.is_full_refresh_night(night or datetime.now(LONDON).date())
    dsn = connection.warehouse_dsn(config)
    with connection.connect(dsn, autocommit=True) as conn:
        sync_iro_roles(conn, config)
        plan = build_plan.plan_build(conn, build_schema=BUILD_SCHEMA, full_refresh=full_refresh)
        prepare_build(conn, fresh=plan.fresh_buffer)
        build_plan.mark_building(conn, plan, build_schema=BUILD_SCHEMA)
        through = last_good_load(conn)
    log.info("dbt build: %s", plan.describe())
    try:
        build(dsn, marts_schema=BUILD_SCHEMA, target_path=last_build_dir(config.state_dir),
              extra_vars=plan.dbt_vars(), full_refresh=plan.full_refresh)
    except DbtBuildError as exc:
        # dbt's own output once, in the task log; the failure itself is exc.summary, one line.
        log.error("%s", exc)
        send_alert(messages.transform_failed(exc.failed, last_build_dir(config.state_dir)), config.alerts)
        raise TransformFailed(exc.summary, final=bool(exc.failed)) from None
    with connection.connect(dsn, autocommit=True) as conn:
        build_plan.record_built(conn, plan, build_schema=BUILD_SCHEMA)
    return {"through_load_id": through, "build": plan.describe(), "full_refresh": plan.full_refresh,
            "rebuilt": plan.rebuild}


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
