"""Which councils' drops share a mapped task in the night's DAG.

Each council gets its own batch (its own row in Airflow's grid, its failure its own) while there
are at most `max_batches` councils; beyond that, councils share `max_batches` batches, because
every task instance costs Airflow a few seconds to schedule and start. A council's drops always
stay together and oldest first: a newer extract must never be published before an older one.
"""

from __future__ import annotations

from itertools import groupby

from .finder import Drop


def council_batches(drops: list[Drop], max_batches: int) -> list[list[Drop]]:
    """Drops grouped by council, in at most `max_batches` batches balanced by number of drops."""
    if max_batches < 1:
        raise ValueError("max_batches must be at least 1")
    ordered = sorted(drops, key=lambda d: (d.la_code, d.extract_date))
    councils = [list(g) for _, g in groupby(ordered, key=lambda d: d.la_code)]
    if len(councils) <= max_batches:
        return councils
    batches: list[list[Drop]] = [[] for _ in range(max_batches)]
    # Largest council first into the emptiest batch: batches of similar size, deterministic.
    for council in sorted(councils, key=lambda c: (-len(c), c[0].la_code)):
        min(batches, key=lambda b: (len(b), b[0].la_code if b else "")).extend(council)
    for batch in batches:
        batch.sort(key=lambda d: (d.la_code, d.extract_date))
    return sorted(batches, key=lambda b: b[0].la_code)


def batch_label(drops: list[dict] | list[Drop]) -> str:
    """The councils of a batch as the grid shows them: `E06000001` or `E06000001 +3 more`."""
    codes = sorted({d["la_code"] if isinstance(d, dict) else d.la_code for d in drops})
    if not codes:
        return "none"
    return codes[0] if len(codes) == 1 else f"{codes[0]} +{len(codes) - 1} more"
