"""`make bench`: every stage of the night, timed beside its physical reference, for one council
and for the national set; peak memory against the number of councils; validation at scale.

Nothing runs against a configured warehouse: each scenario starts its own throwaway PostgreSQL
(never CSC_WAREHOUSE_DSN). docs/performance.md says what is measured, the references, the goals
and how to read bench/results.json.

  1. One council (the demo council, 300 children looked after) and the national set (153
     synthetic councils of England-like sizes): the drops are generated, then every night runs
     find, land, validate, publish to raw, dbt build and publish the marts, each stage in a
     process of its own calling what the DAG's task calls (bench/stages.py), measured for its
     seconds, rows per second and peak memory (its process tree's and the server's). The last
     night is reported beside its references, measured in the same run on the same data:
     landing beside a plain COPY of the same files into unlogged tables; validation beside one
     pass of the same value checks plus the exact key checks alone; the dbt build beside the
     SQL it ran, replayed through psql into fresh schemas; the night beside their sum. Then an
     unchanged council's night: a drop whose every file is its last good drop's.
  2. Memory points (10, 50, 153 councils): the generator's, landing's and validation's peak memory.
  3. Validation at scale: the demo council validated (first run and warm) and ten million rows
     (the council replicated in SQL) beside a full scan and the key checks alone.

The results are printed, compared with bench/results.json (a stage more than 20% slower than the
stored result on a machine with as many cores is a regression) and written there.

    python -m csc_pipeline.bench [--councils 153] [--nights 2] [--sizes 10,50,153] [--quick] ...

Exit 0 when the benchmark ran (with --strict: and every goal was met, nothing regressed), 1 when
--strict found otherwise, 2 when an option is wrong or a stage or a reference could not be measured.
"""

__all__ = ["main"]


def main(argv: list[str] | None = None) -> int:
    # Imported when called: the stage processes (bench/stages.py) import this package too, and stay small.
    from .cli import main as run

    return run(argv)
