"""The synthetic case system: a council's history simulated once, then written as nightly drops.

`generate_council` is what the CLI, the demo and the tests call. Each drop is a
full snapshot of the extract contract's tables as the case system would show it
on that extract date (see `snapshot`), written as the contract describes
(see `writer`).
"""

from __future__ import annotations

import gc
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Literal

from csc_pipeline.contract import TABLES
from csc_pipeline.contract.delivery import LA_CODE_PATTERN
from . import snapshot, writer
from .history import simulate
from .world import Params

__all__ = ["generate_council"]



def generate_council(
    landing_root: Path,
    *,
    la_code: str = "E06999999",
    la_name: str = "Demo Council (synthetic)",
    seed: int = 1,
    children_looked_after: int = 300,
    last_extract_date: date = date(2026, 11, 24),
    nights: int = 4,
    years: int = 8,
    flavour: Literal["mosaic", "systemc"] = "mosaic",
    progress: Callable[[str], None] | None = None,
) -> list[Path]:
    """Simulate a council and write `nights` nightly drops ending on `last_extract_date`.

    Drops go to `<landing_root>/<la_code>/<YYYY-MM-DD>/`; returns their folders, oldest first.
    The same arguments always give byte-identical files.
    """
    if not LA_CODE_PATTERN.match(la_code):
        raise ValueError(f"la_code {la_code!r} is not an English local-authority GSS code (e.g. E06999999)")
    if flavour not in ("mosaic", "systemc"):
        raise ValueError(f"flavour must be 'mosaic' or 'systemc', not {flavour!r}")
    if nights < 1 or years < 1 or children_looked_after < 1:
        raise ValueError("nights, years and children_looked_after must be at least 1")
    first = last_extract_date - timedelta(days=nights - 1)
    params = Params(seed=seed, target_cla=children_looked_after, first_extract=first,
                    last_extract=last_extract_date, years=years)
    if progress:
        progress(f"simulating a council of about {children_looked_after:,} children looked after")
    # The history is a million long-lived objects at the largest sizes: the cyclic garbage
    # collector would keep rescanning them for nothing.
    collecting = gc.isenabled()
    gc.disable()
    try:
        world = simulate(params, progress)
        folders = []
        formatted: dict[int, list[str]] = {}  # rows settled before the first night, formatted once
        for i in range(nights):
            extract_date = first + timedelta(days=i)
            folder = Path(landing_root) / la_code / extract_date.isoformat()
            rows = writer.write_drop(folder, snapshot.take(world, extract_date), la_code=la_code,
                                     la_name=la_name, extract_date=extract_date, flavour=flavour,
                                     cache=formatted)
            if progress:
                progress(f"drop {extract_date.isoformat()}: {len(TABLES)} tables, {rows:,} rows")
            folders.append(folder)
    finally:
        if collecting:
            gc.enable()
    return folders
