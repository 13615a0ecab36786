"""The DAG's extract step: one mapped task per council with a database source.

Which night: the run's `up_to` (a replay or a test) or today in London. The database can
only be read as it is now, so a replay of an earlier night extracts nothing (its drops, if
any, are already in the extract root). A council that fails raises ExtractError; the task's
failure callback alerts with that one line (connection, table or column, never a value) and
the other councils carry on.
"""

from __future__ import annotations

import logging
from datetime import date

from csc_pipeline import deployment
from csc_pipeline.alerts import messages, send_alert
from csc_pipeline.alerts.callbacks import task_failed
from csc_pipeline.extract.errors import ExtractError
from csc_pipeline.extract.readiness import Wait, london_now

log = logging.getLogger(__name__)


def councils_with_source() -> list[str]:
    """The councils of the deployment file that have a `source:` (the extract step's map)."""
    return sorted(deployment.current().sources)


def extract_for_night(la_code: str, *, up_to: date | None = None, now=london_now, sleep=None) -> dict:
    """Extract one council's drop into the extract root; returns what was written."""
    from csc_pipeline.extract.connections import spec_for
    from csc_pipeline.extract.extractor import extract_drop

    today = now().date()
    extract_date = up_to or today
    if extract_date < today:
        log.info("%s: the %s night is past; its database can only be read as it is today", la_code, extract_date)
        return {"la_code": la_code, "extract_date": extract_date.isoformat(), "status": "skipped"}
    settings = deployment.current()
    root = settings.extract_root.resolve()
    if root == settings.landing_root.resolve():  # the landing root is the councils', read-only (§1)
        raise ExtractError(f"CSC_EXTRACT_ROOT is the landing root {root}: give extracts a root of their own",
                           la_code=la_code)
    config = settings.sources[la_code]
    wait = Wait(cutoff=config.cutoff or settings.cutoff, poll_seconds=float(settings.poll_seconds), now=now,
                **({"sleep": sleep} if sleep else {}))
    try:
        local = spec_for(config.local_tables) if config.local_tables else None
        result = extract_drop(
            spec_for(config), la_code=la_code, extract_date=extract_date, root=root,
            la_name=settings.names.get(la_code), source_system=config.system, ssd_version=config.ssd_version,
            local_source=local, local_files=config.local_files, wait=wait,
        )
    except ExtractError as exc:
        exc.la_code = la_code
        log.error("%s: extract failed: %s", la_code, exc)
        raise
    return result.to_dict()


def extract_failed(context) -> None:
    """Failure callback of the extract task: the ExtractError's own line (safe by construction),
    or the generic task alert for anything else."""
    error = context.get("exception")
    if not isinstance(error, ExtractError):
        task_failed(context)
        return
    send_alert(messages.extract_failed(error.la_code, str(error)))
