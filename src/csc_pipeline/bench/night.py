"""A scenario of the benchmark: generate councils' drops, run every night through the night's
stages, each in a measured process of its own, and the physical references on the last night.

A scenario has its own state folder and throwaway server. Its nights are the generated drops'
dates, oldest first; every night runs find, land, validate, publish_raw, dbt_build and
publish_marts (bench/stages.py). The last night is the one reported, with its references:
  - after land: the same files by plain COPY into unlogged tables (copy_reference);
  - after validate: the value pass and the exact key checks (validation_reference);
  - after publish_marts: the build's SQL replayed through psql (dbt_reference).
Then, when asked, an unchanged council's night: the scenario's first council sends, dated the
next day, a drop whose every file is byte for byte its last good drop's (a new manifest, as a
case system writes one every night), and that night runs through the same stages.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from dataclasses import asdict, dataclass, replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from csc_pipeline.bench_memory import measure
from csc_pipeline.contract.delivery import MANIFEST_NAME, default_window_start
from csc_pipeline.drops.manifest import Manifest

from . import copy_reference, dbt_reference
from .psql import run_script
from .report import BenchError, say
from .server import BenchServer, MemorySampler, scenario_server
from .stages import NIGHT

LAST_EXTRACT_DATE = date(2026, 11, 24)
REFERENCES = {"land": "plain COPY into unlogged tables", "validate": "value pass + exact key checks",
              "dbt_build": "the build's SQL through psql"}


@dataclass
class Measured:
    seconds: float  # the work alone
    process_seconds: float  # the process's (or processes') wall time, start-up included
    peak_rss: int  # bytes: the kernel's peak for the largest process of the tree
    tree_rss: int  # bytes: sampled peak, summed over the tree
    server_pss: int  # bytes: sampled peak, summed over the server's processes
    rows: int | None = None
    detail: dict | None = None

    def to_dict(self) -> dict:
        out = asdict(self)
        out["rows_per_second"] = round(self.rows / self.seconds) if self.rows and self.seconds > 0 else None
        return {k: v for k, v in out.items() if v is not None}

    @classmethod
    def total(cls, parts: list["Measured"], rows: int | None = None, detail: dict | None = None) -> "Measured":
        return cls(sum(p.seconds for p in parts), sum(p.process_seconds for p in parts),
                   max((p.peak_rss for p in parts), default=0), max((p.tree_rss for p in parts), default=0),
                   max((p.server_pss for p in parts), default=0), rows, detail)


@dataclass(frozen=True)
class ScenarioSpec:
    name: str
    nights: int
    seed: int = 1
    councils: int | None = None  # synthetic councils; None: one council
    max_size: int | None = None
    la_code: str = "E06999999"
    size: int = 300
    stages: tuple[str, ...] = NIGHT  # the stages each night runs
    references: bool = True
    dbt_reference: bool = True  # the build's SQL replayed (as long again as the build itself)
    unchanged_night: bool = True
    run_nights: int | None = None  # the first nights only (memory points); None: every night


    def generate_spec(self) -> dict:
        return {"councils": self.councils, "max_size": self.max_size, "la_code": self.la_code, "size": self.size,
                "nights": self.nights, "seed": self.seed, "last_extract_date": LAST_EXTRACT_DATE.isoformat()}


class Scenario:
    """Runs stages and references against one scenario's server, measuring each."""

    def __init__(self, spec: ScenarioSpec, server: BenchServer, landing: Path):
        self.spec, self.server, self.landing = spec, server, landing
        self.work = server.state / "bench"
        self.work.mkdir(parents=True, exist_ok=True)
        self._n = 0

    def stage(self, stage: str, payload: Any = None, *, up_to: date | None = None, run_id: str = "bench",
              rows: int | None = None) -> tuple[Measured, Any]:
        self._n += 1
        base = self.work / f"{self._n:03d}-{stage}"
        inp, out, log = (base.with_suffix(s) for s in (".in.json", ".out.json", ".log"))
        inp.write_text(json.dumps(payload))
        argv = [sys.executable, "-m", "csc_pipeline.bench.stages", stage, "--state", str(self.server.state),
                "--landing", str(self.landing), "--input", str(inp), "--output", str(out), "--run-id", run_id,
                "--log", str(log)]
        if up_to:
            argv += ["--up-to", up_to.isoformat()]
        env = {k: v for k, v in os.environ.items() if k != "CSC_WAREHOUSE_DSN"}
        env["GX_ANALYTICS_ENABLED"] = "false"
        with MemorySampler(self.server.postmaster_pid()) as memory:
            measured = measure(argv, env=env)
        if measured.returncode != 0 or not out.exists():
            tail = "\n".join(log.read_text().splitlines()[-15:]) if log.exists() else "(no log)"
            raise BenchError(f"{self.spec.name}: stage {stage} failed (exit {measured.returncode}); "
                             f"its log, {log}, ends:\n{tail}")
        done = json.loads(out.read_text())
        return Measured(done["seconds"], measured.wall_seconds, measured.peak_rss_bytes,
                        max(memory.client_peak, measured.peak_rss_bytes), memory.server_peak, rows), done["result"]

    def psql(self, script: str, what: str, rows: int | None = None) -> Measured:
        self._n += 1
        path = self.work / f"{self._n:03d}-{what.replace(' ', '-')}.sql"
        with MemorySampler(self.server.postmaster_pid()) as memory:
            measured = run_script(self.server, script, path, f"{self.spec.name}: {what}")
        return Measured(measured.wall_seconds, measured.wall_seconds, measured.peak_rss_bytes,
                        max(memory.client_peak, measured.peak_rss_bytes), memory.server_peak, rows)

    def untimed(self, script: str, what: str) -> None:
        self._n += 1
        run_script(self.server, script, self.work / f"{self._n:03d}-{what}.sql", f"{self.spec.name}: {what}")


def night_dates(nights: int) -> list[date]:
    return [LAST_EXTRACT_DATE - timedelta(days=nights - 1 - i) for i in range(nights)]


def _rows(landed_batches: list[list[dict]]) -> int:
    return sum(n for batch in landed_batches for landed in batch for n in landed["row_counts"].values())


def _drops(landed_batches: list[list[dict]]) -> int:
    return sum(len(batch) for batch in landed_batches)


def run_night(scenario: Scenario, day: date, run_id: str, *, references: bool) -> dict:
    """One night through the scenario's stages; with `references`, each stage's reference beside it."""
    stages: dict[str, dict] = {}
    refs: dict[str, Measured] = {}
    measured: dict[str, Measured] = {}
    m, batches = scenario.stage("find", up_to=day, run_id=run_id)
    measured["find"] = m
    if not batches:
        raise BenchError(f"{scenario.spec.name}: no drop pending on {day}")
    m, landed = scenario.stage("land", batches, run_id=run_id)
    rows = m.rows = _rows(landed)
    measured["land"] = m
    if references:
        refs["land"] = scenario.psql(copy_reference.copy_script(landed), "plain copy", rows)
        scenario.untimed(copy_reference.cleanup_script(landed), "plain-copy-cleanup")
    if "validate" in scenario.spec.stages:
        measured["validate"], _ = scenario.stage("validate", landed, run_id=run_id, rows=rows)
        if references:
            m, result = scenario.stage("validation_reference", landed, run_id=run_id, rows=rows)
            refs["validate"] = replace(m, seconds=result["seconds"], detail={
                "key_sets_s": result["key_sets_s"], "passes_s": result["passes_s"]})
    if "publish_raw" in scenario.spec.stages:
        measured["publish_raw"], _ = scenario.stage("publish_raw", landed, run_id=run_id, rows=rows)
    if "dbt_build" in scenario.spec.stages:
        # The measured night is the weekly full refresh (its SQL replayable beside it); the others
        # are the nightly incremental builds.
        measured["dbt_build"], built = scenario.stage("dbt_build", {"full_refresh": references},
                                                      run_id=run_id, rows=rows)
        measured["dbt_build"].detail = {"build": built["build"], "rebuilt": {
            layer: (None if chosen is None else len(chosen)) for layer, chosen in built["rebuilt"].items()}}
        measured["publish_marts"], _ = scenario.stage("publish_marts", built, run_id=run_id, rows=rows)
        if references and scenario.spec.dbt_reference:
            ref = dbt_replay(scenario, rows)
            if ref is not None:
                refs["dbt_build"] = ref
    for name, m in measured.items():
        stages[name] = m.to_dict()
        if name in REFERENCES and references:
            ref = refs.get(name)
            stages[name]["reference"] = {"name": REFERENCES[name], **(ref.to_dict() if ref else {"missing": True})}
            if ref is not None and ref.seconds > 0:
                stages[name]["ratio"] = m.seconds / ref.seconds
    night = Measured.total(list(measured.values()), rows).to_dict()
    if references:
        present = [refs[k] for k in REFERENCES if k in refs and k in measured]
        night["reference"] = {"name": "sum of the references", **Measured.total(present, rows).to_dict()}
        if len(present) == len([k for k in REFERENCES if k in measured]) and night["reference"]["seconds"] > 0:
            night["ratio"] = night["seconds"] / night["reference"]["seconds"]
    return {"date": day.isoformat(), "drops": _drops(landed), "rows": rows, "stages": stages, "night": night}


def dbt_replay(scenario: Scenario, rows: int) -> Measured | None:
    """The build's SQL through psql (dbt_reference); None, and why said, when it cannot be replayed."""
    from csc_pipeline import paths
    from csc_pipeline.transform.dbt_runner import last_build_dir

    plan = dbt_reference.replay(last_build_dir(scenario.server.state), paths.DBT_PROJECT_DIR)
    if plan.skipped:
        say(f"  dbt reference not measured: {'; '.join(plan.skipped[:3])}")
        return None
    scenario.untimed(plan.setup_script(), "dbt-reference-setup")
    parts = {kind: scenario.psql(plan.scripts[kind], f"dbt reference {kind}") for kind in dbt_reference.KINDS}
    scenario.untimed(plan.cleanup_script(), "dbt-reference-cleanup")
    detail = {f"{kind}_s": m.seconds for kind, m in parts.items()}
    detail.update({f"{kind}_nodes": plan.counts.get(kind, 0) for kind in dbt_reference.KINDS})
    return Measured.total(list(parts.values()), rows, detail)


def write_unchanged_drop(landing: Path, la_code: str, last: date) -> date:
    """The council's drop of the day after `last`: every file a copy of its drop of `last`, a new
    manifest (the new date; the same checksums). Returns the new date."""
    day = last + timedelta(days=1)
    if day > datetime.now().date():
        raise BenchError(f"the unchanged night is dated {day}, after today by this machine's clock: "
                         "it would be refused as an extract from the future")
    source, target = landing / la_code / last.isoformat(), landing / la_code / day.isoformat()
    target.mkdir(parents=True, exist_ok=False)
    for path in sorted(source.iterdir()):
        if path.is_file() and path.name != MANIFEST_NAME:
            shutil.copyfile(path, target / path.name)
    manifest = Manifest.read(source / MANIFEST_NAME)
    replace(manifest, extract_date=day, extracted_at=f"{day.isoformat()}T02:10:00Z",
            window_start=default_window_start(day)).write(target)
    return day


def run_scenario(spec: ScenarioSpec, root: Path) -> dict:
    """Generate the scenario's drops, run its nights (the last with references) and, when asked,
    the unchanged council's night; everything measured (module docstring)."""
    state = root / spec.name
    landing = state / "landing"
    with scenario_server(state) as server:
        scenario = Scenario(spec, server, landing)
        what = f"{spec.councils} councils" if spec.councils else f"council {spec.la_code} ({spec.size} CLA)"
        say(f"{spec.name}: generating {what}, {spec.nights} night(s) ...")
        generated, summary = scenario.stage("generate", spec.generate_spec())
        generated.rows = summary["rows"]
        out: dict[str, Any] = {"scenario": spec.name, "councils": summary["councils"], "postgres": server.version(),
                               "generated": {**summary, **generated.to_dict()}, "nights": []}
        dates = night_dates(spec.nights)[:spec.run_nights]
        for i, day in enumerate(dates):
            last = i == len(dates) - 1
            kind = "the measured night" + (", with references" if spec.references else "") if last else "an earlier night"
            say(f"{spec.name}: night {day} ({kind}) ...")
            night = run_night(scenario, day, f"bench-{spec.name}-{day}", references=spec.references and last)
            out["nights"].append(night)
            say(f"{spec.name}: night {day}: {night['drops']} drop(s), {night['rows']:,} rows, "
                f"{night['night']['seconds']:.1f} s")
        if spec.unchanged_night and "dbt_build" in spec.stages:
            council = sorted(p.name for p in landing.iterdir() if p.is_dir())[0]
            day = write_unchanged_drop(landing, council, dates[-1])
            say(f"{spec.name}: an unchanged night for {council} ({day}) ...")
            night = run_night(scenario, day, f"bench-{spec.name}-unchanged", references=False)
            night["la_code"] = council
            out["unchanged_night"] = night
        return out
