"""One stage of the night in a process of its own, calling what the DAG's task calls.

The benchmark runs each stage as `python -m csc_pipeline.bench.stages STAGE ...`, so that the
stage's peak memory is its own (`bench_memory.measure`) and the stages hand each other plain JSON,
as Airflow's tasks hand each other XCom. The stage's seconds are those of its work alone: the
interpreter's start and the heavy imports (Great Expectations for validation) come before the
clock starts, and are in the process's own wall time, which is recorded beside it.

    stage           what it calls (csc_pipeline.flows.nightly unless said)
    generate        generate.generate_council, or generate.national.generate_councils
    find            prepare_warehouse, pending_batches (the DAG's prepare_warehouse and find_pending_drops)
    land            land, per batch (land_drops)
    validate        validate, per batch (validate_drops); a quarantined drop fails the stage
    publish_raw     publish_landed, per batch (publish_drops)
    dbt_build       transform (dbt_build)
    publish_marts   publish_marts (publish_marts)
    validation_reference   bench.validation_reference over every landed drop (not a DAG task)

    python -m csc_pipeline.bench.stages STAGE --state DIR --landing DIR --input FILE --output FILE
           [--up-to YYYY-MM-DD] [--run-id ID] [--log FILE]

Exit 0 with the output written; 1 with the reason in the log file.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
import traceback
from datetime import date
from pathlib import Path
from typing import Any

STAGES = ("generate", "find", "land", "validate", "publish_raw", "dbt_build", "publish_marts",
          "validation_reference")
NIGHT = ("find", "land", "validate", "publish_raw", "dbt_build", "publish_marts")


class StageFailed(RuntimeError):
    """The stage did not do what a good night does (a drop quarantined, a build failed)."""


def _preload(stage: str) -> None:
    """Heavy imports the stage needs, before its clock starts (none for the generator, whose
    peak memory is then its own)."""
    if stage == "generate":
        return
    from csc_pipeline.flows import nightly  # noqa: F401

    if stage == "validate":
        import csc_pipeline.validate.gate  # noqa: F401
        import csc_pipeline.validate.gx_run  # noqa: F401  (Great Expectations)
    elif stage in ("dbt_build", "publish_marts"):
        import csc_pipeline.transform.dbt_runner  # noqa: F401
        import csc_pipeline.transform.publication  # noqa: F401
    elif stage == "validation_reference":
        from . import validation_reference  # noqa: F401


def run_stage(stage: str, payload: Any, *, up_to: date | None, run_id: str) -> Any:
    if stage == "generate":
        return _generate(payload)
    from csc_pipeline.flows import nightly

    if stage == "find":
        nightly.prepare_warehouse()
        return nightly.pending_batches(up_to=up_to)
    if stage == "land":
        return [nightly.land(batch, run_id=run_id) for batch in payload]
    if stage == "validate":
        validated = [nightly.validate(batch) for batch in payload]
        quarantined = [line for v in validated for line in nightly.quarantined_in(v)]
        refused = [v["landed"]["drop"]["la_code"] for batch in validated for v in batch if not v["passed"]]
        if quarantined or refused:
            raise StageFailed("validation did not pass every drop: " + "; ".join(quarantined or refused))
        return validated
    if stage == "publish_raw":
        published = [nightly.publish_landed(batch) for batch in payload]
        bad = [r for batch in published for r in batch if r["status"] != "published"]
        if bad:
            raise StageFailed("not every drop was published: " + "; ".join(f"{r['drop']} {r['status']}" for r in bad))
        return published
    if stage == "dbt_build":
        try:
            return nightly.transform(full_refresh=bool((payload or {}).get("full_refresh")))
        except nightly.TransformFailed as exc:
            raise StageFailed(str(exc)) from None
    if stage == "publish_marts":
        return nightly.publish_marts(payload)
    if stage == "validation_reference":
        return _validation_reference(payload)
    raise ValueError(f"unknown stage {stage!r}: one of {', '.join(STAGES)}")


def _generate(spec: dict) -> dict:
    """Write the scenario's drops: one council (`la_code`, `size`) or `councils` synthetic ones."""
    from csc_pipeline import deployment
    from csc_pipeline.contract.delivery import MANIFEST_NAME
    from csc_pipeline.drops.manifest import Manifest

    landing = deployment.current().landing_root
    last = date.fromisoformat(spec["last_extract_date"])
    if spec.get("councils"):
        from csc_pipeline.generate.national import generate_councils, plan_councils

        plan = plan_councils(int(spec["councils"]), seed=spec["seed"], max_cla=spec.get("max_size"))
        summary = generate_councils(landing, plan, last_extract_date=last, nights=spec["nights"])
        return {"councils": summary.councils, "drops": summary.drops, "rows": summary.rows, "bytes": summary.bytes,
                "children_looked_after": sum(c.children_looked_after for c in plan),
                "largest_council": max(c.children_looked_after for c in plan)}
    from csc_pipeline.generate import generate_council

    folders = generate_council(landing, la_code=spec["la_code"], seed=spec["seed"],
                               children_looked_after=spec["size"], last_extract_date=last, nights=spec["nights"])
    return {"councils": 1, "drops": len(folders),
            "rows": sum(e.rows for f in folders for e in Manifest.read(f / MANIFEST_NAME).files.values()),
            "bytes": sum(p.stat().st_size for f in folders for p in f.iterdir() if p.is_file()),
            "children_looked_after": spec["size"], "largest_council": spec["size"]}


def _validation_reference(landed_batches: list[list[dict]]) -> dict:
    from csc_pipeline import deployment
    from csc_pipeline.warehouse.connection import warehouse_dsn

    from .validation_reference import ReferenceTiming, drop_reference

    config = deployment.current()
    total = ReferenceTiming()
    for batch in landed_batches:
        for landed in batch:
            total.add(drop_reference(landed, config.for_council(landed["drop"]["la_code"]), warehouse_dsn(config)))
    return total.to_dict()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m csc_pipeline.bench.stages", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("stage", choices=STAGES)
    parser.add_argument("--state", type=Path, required=True, help="the scenario's state folder (its server's)")
    parser.add_argument("--landing", type=Path, required=True, help="the scenario's landing folder")
    parser.add_argument("--input", type=Path, required=True, help="JSON: what the stage takes")
    parser.add_argument("--output", type=Path, required=True, help="JSON written: seconds and what it returns")
    parser.add_argument("--up-to", type=date.fromisoformat, default=None, help="find: the night's date")
    parser.add_argument("--run-id", default="bench", help="the night's run id (the audit's)")
    parser.add_argument("--log", type=Path, default=None, help="the stage's log (default: stderr)")
    args = parser.parse_args(argv)

    handler = logging.FileHandler(args.log) if args.log else logging.StreamHandler()
    logging.basicConfig(level=logging.INFO, handlers=[handler], format="%(asctime)s %(name)s %(levelname)s %(message)s")
    for name in ("great_expectations", "py.warnings"):
        logging.getLogger(name).setLevel(logging.ERROR)
    log = logging.getLogger("csc_pipeline.bench.stages")
    from csc_pipeline import deployment

    from .server import scenario_deployment

    try:
        with deployment.using(scenario_deployment(args.state, args.landing)):
            _preload(args.stage)
            payload = json.loads(args.input.read_text())
            started = time.perf_counter()
            result = run_stage(args.stage, payload, up_to=args.up_to, run_id=args.run_id)
            seconds = time.perf_counter() - started
    except Exception as exc:  # the benchmark names the stage and points at this log
        log.error("stage %s failed: %s\n%s", args.stage, exc, traceback.format_exc())
        return 1
    args.output.write_text(json.dumps({"stage": args.stage, "seconds": seconds, "result": result}, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
