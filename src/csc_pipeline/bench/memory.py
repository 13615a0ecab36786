"""Peak memory against the number of councils: is it flat?

At each size (default 10, 50 and 153 councils: the first councils of the synthetic sequence,
generated as the national scenario generates them) the generator runs in its own process, then
the first night is found, landed and validated, each stage in its own process; the peak memory
of each process tree and the server's are what a point holds. A size equal to the national
scenario's (same nights and cap) is taken from that scenario's generator and first night rather
than run again.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from .night import ScenarioSpec, run_scenario
from .report import say

STAGES = ("find", "land", "validate")


def _point(councils: int, generated: dict, night: dict, source: str) -> dict:
    return {"councils": councils, "largest_council": generated["largest_council"], "rows": night["rows"],
            "generate": {k: generated[k] for k in ("seconds", "peak_rss", "tree_rss") if k in generated},
            "land": night["stages"]["land"], "validate": night["stages"]["validate"], "source": source}


def memory_points(sizes: list[int], root: Path, *, nights: int, max_size: int | None, seed: int,
                  national: dict | None, national_spec: ScenarioSpec | None) -> list[dict]:
    points = []
    for councils in sizes:
        if national and national_spec and national_spec.councils == councils:
            points.append(_point(councils, national["generated"], national["nights"][0], "the national scenario"))
            continue
        say(f"memory: {councils} councils ...")
        spec = ScenarioSpec(f"memory-{councils}", nights=nights, seed=seed, councils=councils, max_size=max_size,
                            stages=STAGES, references=False, unchanged_night=False, run_nights=1)
        done = run_scenario(spec, root)
        points.append(_point(councils, done["generated"], done["nights"][0], "its own run"))
        shutil.rmtree(root / spec.name, ignore_errors=True)  # its drops: the disk is for the next size
    return points
