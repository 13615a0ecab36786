"""The DAG's extract step: one mapped task per council with a database source.

Which night: the run's `up_to` (a replay or a test) or today in London. The database can
only be read as it is now, so a replay of an earlier night extracts nothing (its drops, if
any, are already in the extract root). A council that fails raises ExtractError; the task's
failure callback alerts with that one line (connection, table or column, never a value) and
the other councils carry on.
"""

from __future__ import annotations

import logging
import os
from datetime import date, time

from .. import settings
from .errors import ExtractError
from .readiness import Wait, london_now

log = logging.getLogger(__name__)


def councils_with_source(env: dict[str, str] | None = None) -> list[str]:
    """The councils of the deployment file that have a `source:` (the extract step's map)."""
    from ..validate.config import load_deployment

    return sorted(load_deployment(env).sources)


def extract_for_night(la_code: str, *, up_to: date | None = None, now=london_now, sleep=None) -> dict:
    """Extract one council's drop into the extract root; returns what was written."""
    from ..validate.config import load_deployment
    from .connections import spec_for
    from .extractor import extract_drop

    today = now().date()
    extract_date = up_to or today
    if extract_date < today:
        log.info("%s: the %s night is past; its database can only be read as it is today", la_code, extract_date)
        return {"la_code": la_code, "extract_date": extract_date.isoformat(), "status": "skipped"}
    root = settings.extract_root()
    if root == settings.landing_root():  # the landing root is the councils', read-only (§1)
        raise ExtractError(f"{settings.ENV_EXTRACT_ROOT} is the landing root {root}: give extracts a root of their own",
                           la_code=la_code)
    deployment = load_deployment()
    config = deployment.sources[la_code]
    cutoff = config.cutoff or time.fromisoformat(os.environ.get("CSC_CUTOFF", "07:30"))
    wait = Wait(cutoff=cutoff, poll_seconds=float(os.environ.get("CSC_POLL_SECONDS", "300")), now=now,
                **({"sleep": sleep} if sleep else {}))
    try:
        local = spec_for(config.local_tables) if config.local_tables else None
        result = extract_drop(
            spec_for(config), la_code=la_code, extract_date=extract_date, root=root,
            la_name=deployment.names.get(la_code), source_system=config.system, ssd_version=config.ssd_version,
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
    from ..alerts import Alert, send_alert
    from ..alerts.callbacks import task_failed

    error = context.get("exception")
    if not isinstance(error, ExtractError):
        task_failed(context)
        return
    la_code = error.la_code
    send_alert(Alert(
        kind="extract_failed", la_code=la_code,
        title=f"{la_code}: extract from its database failed",
        summary="No drop was written for this council; its marts keep serving the last good data. "
                "The other councils carry on.",
        details=[str(error)],
    ))
