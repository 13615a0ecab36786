"""Is the night's SSD refresh finished? Checked before anything is read.

The SSD scripts drop and recreate their tables, so a required table that is missing or
empty, or a configured readiness query that does not answer true, means "not ready yet":
checked again every poll until the cut-off (London time), then the extract fails with the
reasons, naming tables only.
"""

from __future__ import annotations

import csv
import logging
import time as clock
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

from csc_pipeline.contract import Table
from .errors import NotReady
from .sources import Reader

log = logging.getLogger(__name__)
LONDON = ZoneInfo("Europe/London")


def london_now() -> datetime:
    return datetime.now(LONDON)


@dataclass(frozen=True)
class Wait:
    """How long to wait for a source to become ready: until `cutoff` (None: check once)."""

    cutoff: time | None = None
    poll_seconds: float = 300
    now: Callable[[], datetime] = field(default=london_now)
    sleep: Callable[[float], None] = field(default=clock.sleep)


def database_problems(reader: Reader, tables: Sequence[Table]) -> list[str]:
    """Why the source is not ready (empty list: ready)."""
    problems = []
    for table in tables:
        if not table.required:
            continue
        wanted = reader.spec.table_ref(table.name)
        ref = reader.resolve(wanted)
        if ref is None:
            problems.append(f"table {wanted} does not exist")
        elif not reader.has_rows(ref):
            problems.append(f"table {ref} is empty")
    if reader.spec.readiness_query and not problems and not reader.readiness_says_ready():
        problems.append("the readiness query says the refresh has not finished")
    return [f"{reader.spec.label}: {p}" for p in problems]


def folder_problems(folder: Path, tables: Sequence[Table]) -> list[str]:
    """The same for local tables kept as files: `<folder>/<table>.csv` present with a record."""
    problems = []
    for table in tables:
        path = folder / f"{table.name}.csv"
        if not table.required:
            continue
        if not path.is_file():
            problems.append(f"{folder}: file {path.name} does not exist")
            continue
        with path.open(newline="", encoding="utf-8-sig", errors="replace") as fh:
            reader = csv.reader(fh)
            if next(reader, None) is None or next(reader, None) is None:
                problems.append(f"{folder}: file {path.name} has no rows")
    return problems


def wait_until_ready(check: Callable[[], list[str]], wait: Wait) -> None:
    """Return once `check()` finds no problem; raise NotReady with them at the cut-off."""
    while True:
        problems = check()
        if not problems:
            return
        if wait.cutoff is None or wait.now().time() >= wait.cutoff:
            shown = "; ".join(problems[:3]) + (f"; and {len(problems) - 3} more" if len(problems) > 3 else "")
            when = f"by the cut-off {wait.cutoff:%H:%M}" if wait.cutoff else "yet"
            raise NotReady(f"not ready {when}: {shown}")
        log.info("not ready yet (%s); next look in %ss, cut-off %s", problems[0], wait.poll_seconds,
                 f"{wait.cutoff:%H:%M}")
        wait.sleep(wait.poll_seconds)
