"""`python -m csc_pipeline.bench`: options, the run's order, the printed tables and bench/results.json."""

from __future__ import annotations

import argparse
import logging
import shutil
import sys
import tempfile
from pathlib import Path

from . import results as stored
from .night import ScenarioSpec, run_scenario
from .report import (BenchError, comparison_lines, goals_table, memory_table, say, scenario_table,
                     validation_scale_table)

QUICK = {"councils": 2, "max_size": 40, "nights": 1, "council_size": 40, "sizes": "1,2", "rows": 20_000}


def _sizes(text: str) -> list[int]:
    try:
        sizes = sorted({int(s) for s in text.split(",") if s.strip()})
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a comma-separated list of numbers of councils")
    if any(s < 1 for s in sizes):
        raise argparse.ArgumentTypeError(f"{text!r}: every size must be at least 1 council")
    return sizes


def parser() -> argparse.ArgumentParser:
    from . import __doc__ as doc

    p = argparse.ArgumentParser(prog="python -m csc_pipeline.bench", description=doc,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--councils", type=int, default=None, help="councils of the national scenario (default 153)")
    p.add_argument("--max-size", type=int, default=None,
                   help="cap every council's children looked after (default: none, England-like sizes)")
    p.add_argument("--nights", type=int, default=None,
                   help="nights generated per council; the last is measured (default 2: a night with a last good drop)")
    p.add_argument("--council-size", type=int, default=None,
                   help="children looked after of the one-council scenario, the demo council (default 300)")
    p.add_argument("--seed", type=int, default=1, help="the generator's seed (default 1)")
    p.add_argument("--sizes", type=_sizes, default=None, metavar="N,N,...",
                   help="numbers of councils of the memory points (default 10,50,153)")
    p.add_argument("--rows", type=int, default=None, help="rows of the large drop of validation at scale (default 10 million)")
    p.add_argument("--skip-council", action="store_true", help="no one-council scenario")
    p.add_argument("--skip-national", action="store_true", help="no national scenario")
    p.add_argument("--skip-memory", action="store_true", help="no memory points")
    p.add_argument("--skip-large", action="store_true", help="validation at scale: the council only, no large drop")
    p.add_argument("--skip-validation-scale", action="store_true", help="no validation at scale")
    p.add_argument("--skip-dbt-reference", action="store_true",
                   help="no replay of the dbt build's SQL (it takes about as long as the build)")
    p.add_argument("--no-unchanged-night", action="store_true", help="no unchanged council's night")
    p.add_argument("--quick", action="store_true",
                   help="a small smoke run: the council of 40 children looked after and 2 councils of at most 40, "
                        "1 night, the unchanged night nationally only, memory at 1 and 2 councils, validation at "
                        "scale on 20,000 rows; writes no results file unless --results is given")
    p.add_argument("--results", type=Path, default=None,
                   help=f"the results file read and written (default {stored.RESULTS_FILE.relative_to(stored.paths.PROJECT_ROOT)};"
                        " with --quick, none)")
    p.add_argument("--no-write", action="store_true", help="compare with the results file but leave it as it is")
    p.add_argument("--workdir", type=Path, default=None,
                   help="where the scenarios' servers and drops go (default: a new temporary folder, removed after)")
    p.add_argument("--keep", action="store_true", help="keep the work folder (its stage logs and SQL)")
    p.add_argument("--strict", action="store_true", help="exit 1 when a goal is not met or a stage regressed")
    return p


def _options(args) -> dict:
    quick = QUICK if args.quick else {}

    def pick(name: str, default):
        given = getattr(args, name)
        return given if given is not None else quick.get(name, default)

    sizes = args.sizes if args.sizes is not None else _sizes(quick.get("sizes", "10,50,153"))
    return {"quick": args.quick, "councils": pick("councils", 153), "max_size": pick("max_size", None),
            "nights": pick("nights", 2), "council_size": pick("council_size", 300), "seed": args.seed,
            "sizes": [] if args.skip_memory else sizes, "rows": pick("rows", 10_000_000),
            "council": not args.skip_council, "national": not args.skip_national,
            "unchanged_night": not args.no_unchanged_night, "large": not args.skip_large,
            # A quick run measures the unchanged night once (national): each costs a dbt build.
            "council_unchanged_night": not args.no_unchanged_night and not args.quick,
            "validation_scale": not args.skip_validation_scale, "dbt_reference": not args.skip_dbt_reference}


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    options = _options(args)
    small = [f"--{k.replace('_', '-')}" for k in ("nights", "councils", "council_size", "max_size", "rows")
             if options[k] is not None and options[k] < 1]
    if small:
        say(f"python -m csc_pipeline.bench: {', '.join(small)} must be at least 1")
        return 2
    results_path = args.results or (None if args.quick else stored.RESULTS_FILE)
    logging.basicConfig(level=logging.WARNING)
    for name in ("great_expectations", "py.warnings"):
        logging.getLogger(name).setLevel(logging.ERROR)

    work = args.workdir or Path(tempfile.mkdtemp(prefix="csc-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    work.chmod(0o755)  # the servers run as the postgres OS user when we are root
    out = stored.new_results(options)
    try:
        run(options, work, out, keep=args.keep)
    except BenchError as exc:
        say(f"\nthe benchmark stopped: {exc}")
        say(f"(the work folder {work} is kept)")
        return 2
    if args.keep:
        say(f"(the work folder {work} is kept: each stage's input, output and log, every reference's SQL)")
    else:
        shutil.rmtree(work, ignore_errors=True)

    previous = stored.load(results_path) if results_path else None
    out["goals"] = stored.goals(out)
    out["comparison"] = stored.compare(previous, out)
    print_results(out)
    if results_path and not args.no_write:
        stored.write(results_path, out)
        say(f"\nwritten to {results_path}")
    return 1 if args.strict and stored.any_failure(out) else 0


def run(options: dict, work: Path, out: dict, keep: bool = False) -> None:
    """Every part the options ask for; a scenario's folder (its drops and stage logs) is removed
    after it unless `keep` (its server's data folder always is: scenario_server)."""
    national_spec = None
    if options["council"]:
        spec = ScenarioSpec("council", nights=options["nights"], seed=options["seed"], size=options["council_size"],
                            unchanged_night=options["council_unchanged_night"],
                            dbt_reference=options.get("dbt_reference", True))
        out["scenarios"]["council"] = run_scenario(spec, work)
        if not keep:
            shutil.rmtree(work / spec.name, ignore_errors=True)
    if options["national"]:
        national_spec = ScenarioSpec("national", nights=options["nights"], seed=options["seed"],
                                     councils=options["councils"], max_size=options["max_size"],
                                     unchanged_night=options["unchanged_night"],
                                     dbt_reference=options.get("dbt_reference", True))
        out["scenarios"]["national"] = run_scenario(national_spec, work)
        if not keep:
            shutil.rmtree(work / national_spec.name, ignore_errors=True)
    if options["sizes"]:
        from .memory import memory_points

        out["memory"] = memory_points(options["sizes"], work, nights=options["nights"], max_size=options["max_size"],
                                      seed=options["seed"], national=out["scenarios"].get("national"),
                                      national_spec=national_spec)
    if options["validation_scale"]:
        from .validation_scale import validation_at_scale

        say("validation at scale ...")
        timings = validation_at_scale(work / "validation-scale", council_size=options["council_size"],
                                      rows=options["rows"], skip_large=not options["large"])
        out["validation_at_scale"] = [t.to_dict() for t in timings]


def print_results(out: dict) -> None:
    machine, git = out["machine"], out["git"]
    say("")
    say(f"make bench, {out['date']}: {machine['cores']} cores, {machine['memory_gb']} GB; commit "
        f"{(git['commit'] or 'unknown')[:12]}{' (uncommitted changes)' if git['dirty'] else ''}")
    for scenario in out["scenarios"].values():
        say("")
        for line in scenario_table(scenario):
            say(line)
    if out["memory"]:
        say("")
        for line in memory_table(out["memory"]):
            say(line)
    if out["validation_at_scale"]:
        say("")
        for line in validation_scale_table(out["validation_at_scale"]):
            say(line)
    say("")
    for line in goals_table(out["goals"]):
        say(line)
    say("")
    for line in comparison_lines(out["comparison"]):
        say(line)


if __name__ == "__main__":
    sys.exit(main())
