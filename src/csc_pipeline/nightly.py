"""The night's steps, one function per task of the `csc_nightly` DAG.

Each takes and returns plain JSON-able values (they travel between Airflow
tasks as XCom) and opens its own warehouse connection. The DAG file only wires
these together; a reader follows the night here, top to bottom.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import date, datetime, time as clock
from pathlib import Path
from zoneinfo import ZoneInfo

from . import settings
from .alerts import Alert, send_alert
from .landing.drops import Drop, find_drops, pending_drops
from .landing.manifest import LA_CODE_PATTERN, ManifestError
from .load import audit
from .validate.report import ValidationReport, make_issue
from .load.land import LandedDrop, land_drop, unreadable_manifest
from .load.publish import publish_drop
from .load.quarantine import quarantine_drop
from .warehouse import connection, schema

log = logging.getLogger(__name__)
LONDON = ZoneInfo("Europe/London")


@dataclass(frozen=True)
class NightConfig:
    """What a deployment configures (environment variables; defaults documented in the README)."""

    landing_root: Path
    councils: tuple[str, ...]  # expected councils; empty = accept any well-formed code
    cutoff: clock  # wait for the night's manifests until this London time
    poll_seconds: int

    @classmethod
    def from_env(cls, env: dict[str, str]) -> "NightConfig":
        councils = tuple(c.strip().upper() for c in env.get("CSC_COUNCILS", "").split(",") if c.strip())
        for code in councils:
            if not LA_CODE_PATTERN.match(code):
                raise ValueError(f"CSC_COUNCILS: {code!r} is not an English local-authority GSS code")
        return cls(
            landing_root=Path(env.get(settings.ENV_LANDING_ROOT) or settings.landing_root()),
            councils=councils,
            cutoff=clock.fromisoformat(env.get("CSC_CUTOFF", "07:30")),
            poll_seconds=int(env.get("CSC_POLL_SECONDS", "300")),
        )


def prepare_warehouse() -> None:
    """Apply the warehouse DDL (idempotent) so every run starts from the current schema."""
    with connection.connect() as conn:
        schema.initialise(conn)


def wait_for_drops(config: NightConfig, *, up_to: date | None = None, now=None, sleep=time.sleep) -> list[dict]:
    """Pending drops, oldest first; waits for every expected council's manifest up to the cut-off.

    Without a list of expected councils there is nothing to wait for: the run takes what has arrived.
    """
    now = now or (lambda: datetime.now(LONDON))
    while True:
        drops = _pending(config, up_to)
        arrived = {d.la_code for d in drops}
        missing = [c for c in config.councils if c not in arrived]
        if not missing or now().time() >= config.cutoff:
            for council in missing:
                log.warning("cut-off %s reached; no new extract from %s", config.cutoff, council)
                send_alert(Alert(
                    kind="missing_extract", la_code=council, title=f"{council}: no extract by the cut-off",
                    summary=f"No new drop from {council} had arrived by {config.cutoff:%H:%M}; "
                            "its marts keep serving the last good data.",
                ))
            log.info("%d pending drop(s): %s", len(drops),
                     ", ".join(f"{d.la_code}/{d.extract_date}" for d in drops) or "none")
            return [d.to_dict() for d in drops]
        log.info("waiting for %s (cut-off %s)", ", ".join(missing), config.cutoff)
        sleep(config.poll_seconds)


def _pending(config: NightConfig, up_to: date | None) -> list[Drop]:
    drops = find_drops(config.landing_root, up_to=up_to)
    extracts = settings.extract_root()  # drops extracted from councils' databases, scanned alike
    if extracts.is_dir() and extracts != config.landing_root.resolve():
        drops = sorted(drops + find_drops(extracts, up_to=up_to), key=lambda d: (d.la_code, d.extract_date))
    # Drops from councils outside CSC_COUNCILS are still landed: validation blocks them
    # (la_code_unknown) and the data team is alerted, rather than them vanishing unseen.
    with connection.connect() as conn:
        return pending_drops(conn, drops)


def land(drop_dicts: list[dict], run_id: str | None = None) -> list[dict]:
    """COPY each pending drop into its own staging schema; record the load as started.

    A drop that cannot be landed (unreadable manifest, unknown council) is still recorded,
    with the reason, so that validation blocks it and it is quarantined and alerted on."""
    from .validate.config import load_deployment

    deployment = load_deployment()
    landed_all = []
    with connection.connect(autocommit=True) as conn:
        for d in drop_dicts:
            drop = Drop.from_dict(d)
            try:
                manifest, issues = drop.manifest, []
            except ManifestError as exc:
                log.error("drop %s/%s: %s", drop.la_code, drop.extract_date, exc)
                manifest, issues = unreadable_manifest(drop), [make_issue("manifest_unreadable", "manifest.json")]
            load_id = audit.start_load(conn, drop, manifest, run_id)
            if not deployment.accepts(drop.la_code) or not LA_CODE_PATTERN.match(manifest.la_code):
                issues.append(make_issue("la_code_unknown", "manifest.json"))
            if issues:  # nothing is read from a drop the pipeline does not accept
                landed = LandedDrop(drop, load_id, drop.landing_schema, issues=issues)
            else:
                landed = land_drop(conn, drop, manifest, load_id)
                if manifest.la_code != drop.la_code or manifest.extract_date != drop.extract_date:
                    landed.issues.append(make_issue("manifest_folder_mismatch", "manifest.json"))
            log.info("landed %s/%s: %d tables, %d rows", drop.la_code, drop.extract_date,
                     len(landed.tables), sum(landed.row_counts.values()))
            landed_all.append(landed.to_dict())
    return landed_all


def validate(landed_dicts: list[dict]) -> list[dict]:
    """Check each landed drop against the contract in the warehouse (the GX suites, one SQL
    pass per table), with the council's settings and label mapping; write Data Docs."""
    from .validate import validate_drop  # GX is heavy: import only when validating
    from .validate.config import load_deployment
    from .validate.mapping import MappingError, sync_council_labels

    deployment = load_deployment()
    dsn = connection.warehouse_dsn()
    out = []
    with connection.connect(autocommit=True) as conn:
        for d in landed_dicts:
            landed = LandedDrop.from_dict(d)
            drop = landed.drop
            config = deployment.for_council(drop.la_code)
            issues = list(landed.issues)
            try:
                sync_council_labels(conn, drop.la_code, config.label_mapping)
            except MappingError as exc:
                issues.append(make_issue("label_mapping_invalid", exc.file.name, message=str(exc.args[0])))
            docs = None
            if not any(i.rule in _NOT_READ for i in issues):
                docs = (config.docs_dir() / drop.la_code / f"{drop.extract_date}_load{landed.load_id}"
                        if config.data_docs != "never" else None)
                issues += validate_drop(
                    dsn, landed.schema, tables_present=sorted(landed.tables), la_code=drop.la_code,
                    extract_date=drop.extract_date, config=config, data_docs_dir=docs,
                    data_docs_only_if_failed=config.data_docs == "failed" and not any(
                        i.severity == "blocking" for i in issues),
                ).issues
            report = ValidationReport.from_issues(issues)
            audit.record_validation(conn, landed.load_id, report.success, report.to_dict())
            audit.set_status(conn, landed.load_id, "validated" if report.success else "landing")
            for issue in report.issues:
                log.log(logging.ERROR if issue.severity == "blocking" else logging.WARNING, "%s/%s %s",
                        drop.la_code, drop.extract_date, issue.to_text())
            index = docs / "index.html" if docs is not None else None
            out.append({"landed": landed.to_dict(), "passed": report.success, "report": report.to_dict(),
                        "data_docs": str(index) if index is not None and index.exists() else None})
    return out


# Landing problems after which the drop's tables are not read at all.
_NOT_READ = ("manifest_unreadable", "la_code_unknown", "unsupported_encoding")


def publish(validated: list[dict]) -> list[dict]:
    """Publish passing drops in date order per council; quarantine the rest."""
    results = []
    ordered = sorted(validated, key=lambda v: (v["landed"]["drop"]["la_code"], v["landed"]["drop"]["extract_date"]))
    with connection.connect() as conn:
        for v in ordered:
            landed = LandedDrop.from_dict(v["landed"])
            label = f"{landed.drop.la_code}/{landed.drop.extract_date}"
            if not v["passed"]:
                blocking = ValidationReport.from_dict(v["report"]).blocking
                summary = f"{len(blocking)} blocking problem(s): " + "; ".join(i.to_text() for i in blocking[:5])
                quarantine_drop(conn, landed, summary)
                log.error("quarantined %s: %s", label, summary)
                send_alert(Alert(
                    kind="quarantined", la_code=landed.drop.la_code, extract_date=str(landed.drop.extract_date),
                    title=f"{label} extract quarantined",
                    summary=f"{len(blocking)} blocking problem(s); nothing was loaded and the marts keep "
                            "serving the last good data. Fix the files and drop them again for the same date.",
                    details=[i.to_text() for i in blocking[:20]]
                    + ([f"Data Docs: {v['data_docs']}"] if v.get("data_docs") else []),
                ))
                results.append({"drop": label, "status": "quarantined", "load_id": landed.load_id})
                continue
            result = publish_drop(conn, landed)
            added = sum(c["added"] for c in result.changes.values())
            removed = sum(c["removed"] for c in result.changes.values())
            log.info("%s %s: %d rows added, %d removed since the last good snapshot",
                     result.status, label, added, removed)
            if result.status == "superseded":
                send_alert(Alert(kind="superseded", la_code=landed.drop.la_code,
                                 extract_date=str(landed.drop.extract_date),
                                 title=f"{label} extract superseded", summary=result.message))
            results.append({"drop": label, "status": result.status, "load_id": result.load_id,
                            "rows_added": added, "rows_removed": removed, "message": result.message})
    return results


def transform() -> None:
    """dbt build: staging, facts, marts, and every data and unit test, with the councils'
    own settings (IRO roles) from the deployment file."""
    from .transform.council_settings import sync_iro_roles
    from .transform.dbt_runner import build
    from .validate.config import load_deployment

    with connection.connect(autocommit=True) as conn:
        sync_iro_roles(conn, load_deployment())
    build(connection.warehouse_dsn())


def publish_marts() -> dict:
    """Record the figures as published (so later revisions show) and say what the marts now serve."""
    from .publish.history import PublicationError, record_publication

    with connection.connect() as conn:
        try:
            publication_id = record_publication(conn)
            conn.commit()
        except PublicationError as exc:  # nothing published yet (every drop so far quarantined)
            conn.rollback()
            log.warning("no publication recorded: %s", exc)
            publication_id = None
        rows = conn.execute(
            "select la_code, max(source_extract_date)::text, count(*) from marts.performance_measures"
            " group by la_code order by la_code"
        ).fetchall()
    summary = {la: {"source_extract_date": d, "rows": n, "publication_id": publication_id} for la, d, n in rows}
    for la, info in summary.items():
        log.info("marts.performance_measures for %s: %d rows from the %s extract", la, info["rows"],
                 info["source_extract_date"])
    return summary
