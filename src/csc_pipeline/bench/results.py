"""bench/results.json: what a run measured, the goals it reached, and how it compares with the last.

The committed file holds the last full run (`make bench` on a quiet machine). A new run reads it
before writing its own and flags a regression when, on a machine with the same number of cores
and for a scenario of the same size (councils, nights, rows), a stage (or the night, or a memory
point) took more than REGRESSION_RATIO times the stored seconds (and at least
REGRESSION_MIN_SECONDS more), or its process peaked more than REGRESSION_RATIO times the stored
memory (and at least REGRESSION_MIN_MB more): the floors keep sub-second stages and page-size
noise from being flagged. Other differences are not compared, and the run says why.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
from datetime import datetime, timezone
from pathlib import Path

from csc_pipeline import paths

FORMAT = 1
RESULTS_FILE = paths.PROJECT_ROOT / "bench" / "results.json"
REGRESSION_RATIO = 1.20
REGRESSION_MIN_SECONDS = 0.5
REGRESSION_MIN_MB = 20.0

# Goals (issue 14): what each compares and its limit.
NATIONAL_NIGHT_SECONDS = 300.0
LAND_VS_COPY = 1.25
VALIDATE_VS_REFERENCE = 1.25
DBT_VS_COMPILED = 2.0
UNCHANGED_NIGHT_SECONDS = 5.0
MEMORY_FLAT_RATIO = 1.25  # peak at the largest size over the peak at the smallest
ENGLAND = 153
MB = 2**20


def machine() -> dict:
    memory = None
    try:
        memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    except (ValueError, OSError, AttributeError):
        pass
    return {"cores": os.cpu_count(), "memory_gb": round(memory, 1) if memory else None,
            "platform": platform.platform(), "python": platform.python_version()}


def git_state() -> dict:
    def git(*args: str) -> str | None:
        try:
            done = subprocess.run(["git", "-C", str(paths.PROJECT_ROOT), *args], capture_output=True, text=True,
                                  timeout=30)
        except (OSError, subprocess.SubprocessError):
            return None
        return done.stdout.strip() if done.returncode == 0 else None

    status = git("status", "--porcelain")
    return {"commit": git("rev-parse", "HEAD"), "dirty": bool(status) if status is not None else None}


def new_results(options: dict) -> dict:
    return {"format": FORMAT, "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "machine": machine(), "git": git_state(), "options": options, "scenarios": {}, "memory": [],
            "validation_at_scale": [], "goals": [], "comparison": {}}


def load(path: Path) -> dict | None:
    """The stored results, or None when there are none (or they cannot be read: said on stdout)."""
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError) as exc:
        print(f"{path}: not readable as JSON ({type(exc).__name__}); not compared", flush=True)
        return None
    return data if isinstance(data, dict) and data.get("format") == FORMAT else None


def write(path: Path, results: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(json.dumps(results, indent=1, sort_keys=False) + "\n")
    os.replace(tmp, path)


# --- goals --------------------------------------------------------------------------------------

def _goal(goal: str, value: float | None, limit: float, shown: str, *, below: bool = False,
          note: str = "") -> dict:
    met = None if value is None else (value < limit if below else value <= limit)
    return {"goal": goal, "value": value, "limit": limit, "shown": shown, "met": met, **({"note": note} if note else {})}


def goals(results: dict) -> list[dict]:
    out = []
    national = results["scenarios"].get("national")
    if national:
        night = national["nights"][-1]["night"]
        councils, capped = national["councils"], results["options"].get("max_size")
        scale = "" if councils == ENGLAND and not capped else (
            f"measured at {councils} councils{f', sizes capped at {capped}' if capped else ''}, not England's {ENGLAND}")
        out.append(_goal("national night under 5 minutes (the stages alone)", night["seconds"],
                         NATIONAL_NIGHT_SECONDS, f"{night['seconds']:.0f} s", below=True, note=scale))
    for name, scenario in results["scenarios"].items():
        stages = scenario["nights"][-1]["stages"]
        for stage, limit, label in (("land", LAND_VS_COPY, "landing within 1.25x plain COPY"),
                                    ("validate", VALIDATE_VS_REFERENCE,
                                     "validation within 1.25x (value pass + exact key checks)"),
                                    ("dbt_build", DBT_VS_COMPILED, "dbt build within 2x its SQL through psql")):
            ratio = stages.get(stage, {}).get("ratio")
            out.append(_goal(f"{name}: {label}", ratio, limit, f"{ratio:.2f}x" if ratio is not None else "not measured"))
        unchanged = scenario.get("unchanged_night")
        if unchanged:
            seconds = unchanged["night"]["seconds"]
            out.append(_goal(f"{name}: an unchanged council's night under 5 s of warehouse time", seconds,
                             UNCHANGED_NIGHT_SECONDS, f"{seconds:.1f} s", below=True,
                             note=f"{unchanged['la_code']}: " + ", ".join(
                                 f"{s} {v['seconds']:.1f} s" for s, v in unchanged["stages"].items())))
    points = sorted(results["memory"], key=lambda p: p["councils"])
    if len(points) >= 2:
        for part, label in (("generate", "the generator"), ("land", "landing"), ("validate", "validation")):
            peaks = [p[part]["tree_rss"] / MB for p in points if part in p]
            if len(peaks) == len(points):
                ratio = max(peaks) / peaks[0] if peaks[0] else None
                shown = ", ".join(f"{v:.0f} MB at {p['councils']}" for v, p in zip(peaks, points))
                out.append(_goal(f"peak memory of {label} flat in the number of councils (largest size within "
                                 f"{MEMORY_FLAT_RATIO}x the smallest's)", ratio, MEMORY_FLAT_RATIO, shown))
    for t in results["validation_at_scale"]:
        if t["met"] is not None:
            out.append({"goal": f"validation at scale: {t['label'].strip()} {t['goal']}", "value": t["validation_s"],
                        "limit": None, "shown": f"{t['validation_s']:.2f} s (scan {t['scan_s']:.2f} s)",
                        "met": t["met"]})
    return out


# --- comparison ---------------------------------------------------------------------------------

def _size(scenario: dict) -> tuple:
    return (scenario["councils"], len(scenario["nights"]), scenario["nights"][-1]["rows"])


def _check(flags: list[dict], what: str, stored: dict | None, now: dict | None) -> None:
    if not stored or not now:
        return
    if "seconds" in stored and "seconds" in now:
        before, after = stored["seconds"], now["seconds"]
        if after > REGRESSION_RATIO * before and after - before >= REGRESSION_MIN_SECONDS:
            flags.append({"what": f"{what} seconds", "stored": before, "now": after, "ratio": after / before})
    for key in ("tree_rss", "peak_rss"):
        if key in stored and key in now:
            before, after = stored[key] / MB, now[key] / MB
            if after > REGRESSION_RATIO * before and after - before >= REGRESSION_MIN_MB:
                flags.append({"what": f"{what} peak memory (MB)", "stored": before, "now": after,
                              "ratio": after / before})
                break


def compare(stored: dict | None, current: dict) -> dict:
    """What changed since the stored run: {"compared": bool, "notes": [...], "regressions": [...]}."""
    if stored is None:
        return {"compared": False, "notes": ["no stored result to compare with"], "regressions": []}
    cores, stored_cores = current["machine"]["cores"], stored.get("machine", {}).get("cores")
    if cores != stored_cores:
        return {"compared": False, "regressions": [],
                "notes": [f"not compared: the stored result is from a machine with {stored_cores} cores, this has {cores}"]}
    flags: list[dict] = []
    notes = [f"compared with the run of {stored.get('date')} (commit {str(stored.get('git', {}).get('commit'))[:12]})"]
    for name, now in current["scenarios"].items():
        before = stored.get("scenarios", {}).get(name)
        if before is None:
            notes.append(f"{name}: not in the stored result")
            continue
        if _size(before) != _size(now):
            notes.append(f"{name}: not compared, sizes differ (councils, nights, rows: stored {_size(before)}, "
                         f"now {_size(now)})")
            continue
        last_before, last_now = before["nights"][-1], now["nights"][-1]
        for stage, measured in last_now["stages"].items():
            _check(flags, f"{name}: {stage}", last_before["stages"].get(stage), measured)
        _check(flags, f"{name}: the night", last_before["night"], last_now["night"])
        if before.get("unchanged_night") and now.get("unchanged_night"):
            _check(flags, f"{name}: the unchanged night", before["unchanged_night"]["night"],
                   now["unchanged_night"]["night"])
        _check(flags, f"{name}: generate", before.get("generated"), now.get("generated"))
    stored_points = {p["councils"]: p for p in stored.get("memory", [])}
    for point in current["memory"]:
        old = stored_points.get(point["councils"])
        if old and old.get("rows") == point.get("rows"):
            for part in ("generate", "land", "validate"):
                _check(flags, f"memory at {point['councils']} councils: {part}", old.get(part), point.get(part))
    stored_scale = {t["label"]: t for t in stored.get("validation_at_scale", [])}
    for t in current["validation_at_scale"]:
        old = stored_scale.get(t["label"])
        if old and old["rows"] == t["rows"]:
            _check(flags, f"validation at scale: {t['label'].strip()}", {"seconds": old["validation_s"]},
                   {"seconds": t["validation_s"]})
    return {"compared": True, "notes": notes, "regressions": flags}


def any_failure(results: dict) -> bool:
    return any(g["met"] is False for g in results["goals"]) or bool(results["comparison"].get("regressions"))
