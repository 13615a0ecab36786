"""`make bench`: how long validation takes, beside one full scan of the same tables.

Starts its own throwaway PostgreSQL in a temporary folder (never CSC_WAREHOUSE_DSN),
generates the demo council (about 300 children looked after, one drop), lands it as
the nightly run does, and times:
  - validation of the council's drop (the gate: one SQL pass per table, then the
    Great Expectations suites), first run (Great Expectations imported) and warm;
  - one full scan of the same landed tables: one query per table computing a cheap
    function (the length) of every value of every column;
then replicates the council's rows in SQL, with every identifier offset per copy, into
a drop of about ten million rows, and times both again.

Goals: the council validated in under 10 s; ten million rows validated within 3x the scan.

For the large drop it also times the key checks alone, in their cheapest exact form and
with nothing else computed: count(distinct) of each primary key, and one anti-join count
per foreign key column against that table's keys (built beforehand, not timed), one query
after another. A validation that checks keys exactly can hardly beat that, so it shows how
much of the 3x the key checks leave for everything else.

    python -m csc_pipeline.bench [--rows 10000000] [--council-size 300] [--skip-large] [--strict]

Exit code 0 when the benchmark ran (with --strict: and every goal was met), 1 otherwise.
"""

from __future__ import annotations

import argparse
import logging
import math
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import psycopg
from psycopg import sql

from csc_pipeline.contract import TABLES_BY_NAME, Table
from csc_pipeline.contract.loaded import LANDED_LOAD_COLUMNS
from csc_pipeline.validate.checks import is_identifier

DEMO_LA = "E06999999"
LARGE_LA = "E06999998"
EXTRACT_DATE = date(2026, 11, 24)
ID_OFFSET = 100_000_000  # per copy: generated ids are below this


@dataclass
class Timing:
    label: str
    rows: int
    validation_s: float
    sql_pass_s: float | None
    scan_s: float
    goal: str  # or, for a measurement shown beside the goals, what it is made of
    met: bool | None  # None: not a goal


def _say(message: str) -> None:
    print(message, flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m csc_pipeline.bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=10_000_000, help="rows of the large drop (default 10 million)")
    parser.add_argument("--council-size", type=int, default=300, help="children looked after (default 300)")
    parser.add_argument("--skip-large", action="store_true", help="only the council")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a goal is not met")
    args = parser.parse_args(argv)

    logging.basicConfig(level=logging.WARNING)
    for name in ("great_expectations", "py.warnings"):
        logging.getLogger(name).setLevel(logging.ERROR)
    state = Path(tempfile.mkdtemp(prefix="csc-bench-"))
    state.chmod(0o755)  # the server runs as the postgres OS user when we are root
    from csc_pipeline import deployment
    from csc_pipeline.warehouse.local_server import LocalServer

    server = LocalServer(state / "postgres")
    try:
        _say(f"starting a throwaway PostgreSQL in {state} ...")
        dsn = server.start(for_tests=True)
        # The bench's own deployment: its throwaway server (the local one of its state folder) and the
        # documented defaults, whatever the environment says.
        with deployment.using(deployment.Deployment(state_dir=state, landing_root=state / "landing")):
            timings = run(dsn, state, args)
    finally:
        server.stop()
        shutil.rmtree(state, ignore_errors=True)
    _print_table(timings)
    return 1 if args.strict and any(t.met is False for t in timings) else 0


def run(dsn: str, state: Path, args) -> list[Timing]:
    from csc_pipeline.generate import generate_council
    from csc_pipeline.drops.finder import find_drops
    from csc_pipeline.load import audit
    from csc_pipeline.load.copy_in import land_drop
    from csc_pipeline.validate.gate import validate_drop
    from csc_pipeline.warehouse import schema

    with psycopg.connect(dsn) as conn:
        schema.initialise(conn)
    _say(f"generating the demo council ({args.council_size} children looked after, one drop) ...")
    landing = state / "landing"
    generate_council(landing, la_code=DEMO_LA, children_looked_after=args.council_size, nights=1,
                     last_extract_date=EXTRACT_DATE)
    (drop,) = find_drops(landing)
    with psycopg.connect(dsn, autocommit=True) as conn:
        load_id = audit.start_load(conn, drop, drop.manifest, run_id="bench")
        landed = land_drop(conn, drop, drop.manifest, load_id)
    if landed.issues:
        raise SystemExit(f"the demo drop did not land cleanly: {[i.to_text() for i in landed.issues]}")
    tables = sorted(landed.tables)
    council_rows = sum(landed.row_counts.values())
    _say(f"landed {council_rows:,} rows in {len(tables)} tables; validating ...")

    def validate(schema_name: str, la_code: str):
        started = time.perf_counter()
        report = validate_drop(dsn, schema_name, tables_present=tables, la_code=la_code, extract_date=EXTRACT_DATE)
        elapsed = time.perf_counter() - started
        if not report.success:
            raise SystemExit(f"{schema_name} did not pass validation:\n{report.to_text()}")
        return elapsed, _last_sql_pass_s()

    first, _ = validate(landed.schema, DEMO_LA)
    warm, warm_sql = validate(landed.schema, DEMO_LA)
    scan = full_scan(dsn, landed.schema, tables)
    timings = [
        Timing(f"council, first run ({args.council_size} CLA)", council_rows, first, None, scan,
               "< 10 s", first < 10),
        Timing(f"council ({args.council_size} CLA)", council_rows, warm, warm_sql, scan, "< 10 s", warm < 10),
    ]
    if not args.skip_large:
        copies = max(1, math.ceil(args.rows / council_rows))
        large = f"landing_{LARGE_LA.lower()}_{EXTRACT_DATE:%Y%m%d}"
        _say(f"replicating the council {copies} times in SQL (ids offset per copy) ...")
        started = time.perf_counter()
        large_rows = replicate(dsn, landed.schema, large, tables, copies)
        _say(f"built {large_rows:,} rows in {time.perf_counter() - started:.0f} s; scanning and validating ...")
        full_scan(dsn, large, tables)  # both measured with the tables in the page cache
        scan = full_scan(dsn, large, tables)
        elapsed, sql_s = validate(large, LARGE_LA)
        timings.append(Timing(f"{large_rows / 1e6:.1f} million rows ({copies} councils)", large_rows, elapsed,
                              sql_s, scan, "<= 3x scan", elapsed <= 3 * scan))
        primary, foreign = key_checks_alone(dsn, large, tables)
        timings.append(Timing("  key checks alone (lower bound)", large_rows, primary + foreign, None, scan,
                              f"primary keys {primary:.2f} s + foreign keys {foreign:.2f} s", None))
    return timings


def full_scan(dsn: str, schema_name: str, tables: list[str]) -> float:
    """One query per table reading every value of every column (the sum of their lengths)."""
    started = time.perf_counter()
    with psycopg.connect(dsn) as conn:
        for table in tables:
            columns = [r[0] for r in conn.execute(
                "select column_name from information_schema.columns where table_schema = %s and table_name = %s",
                (schema_name, table))]
            lengths = sql.SQL(" + ").join(
                sql.SQL("coalesce(length({}::text), 0)").format(sql.Identifier(c)) for c in columns)
            conn.execute(sql.SQL("select count(*), sum({}) from {}").format(
                lengths, sql.Identifier(schema_name, table))).fetchone()
    return time.perf_counter() - started


def key_checks_alone(dsn: str, schema_name: str, tables: list[str]) -> tuple[float, float]:
    """Seconds for the primary key checks and for the foreign key checks, each in its
    cheapest exact form (keys as landed), nothing else computed."""
    present = [TABLES_BY_NAME[t] for t in tables]
    parents = {c.references for t in present for c in t.columns if c.references and c.references[0] in tables}
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("set work_mem = '256MB'")
        conn.execute("set jit = off")
        keys = {}
        for table, column in sorted(parents):
            keys[table] = sql.Identifier(schema_name, f"_bench_keys_{table}")
            conn.execute(sql.SQL("drop table if exists {}").format(keys[table]))
            conn.execute(sql.SQL("create unlogged table {} as select distinct {} as k from {}").format(
                keys[table], sql.Identifier(column), sql.Identifier(schema_name, table)))
            conn.execute(sql.SQL("analyze {}").format(keys[table]))
        started = time.perf_counter()
        for t in present:
            key = sql.Identifier(t.primary_key.name)
            conn.execute(sql.SQL('select count({k}) - count(distinct {k} collate "C") from {t}').format(
                k=key, t=sql.Identifier(schema_name, t.name))).fetchone()
        primary = time.perf_counter() - started
        started = time.perf_counter()
        for t in present:
            for c in t.columns:
                if c.references and c.references[0] in keys:
                    conn.execute(sql.SQL(
                        "select count(*) from {t} as x where x.{c} is not null "
                        "and not exists (select from {keys} as p where p.k = x.{c})").format(
                        t=sql.Identifier(schema_name, t.name), c=sql.Identifier(c.name),
                        keys=keys[c.references[0]])).fetchone()
        foreign = time.perf_counter() - started
        for name in keys.values():
            conn.execute(sql.SQL("drop table {}").format(name))
    return primary, foreign


def replicate(dsn: str, source: str, target: str, tables: list[str], copies: int) -> int:
    """The source drop `copies` times over: identifiers (numbers) offset by copy, row numbers renumbered."""
    total = 0
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(sql.SQL("drop schema if exists {} cascade").format(sql.Identifier(target)))
        conn.execute(sql.SQL("create schema {}").format(sql.Identifier(target)))
        for name in tables:
            table = TABLES_BY_NAME[name]
            columns = [r[0] for r in conn.execute(
                "select column_name from information_schema.columns where table_schema = %s and table_name = %s"
                " and column_name <> all(%s) order by ordinal_position",
                (source, name, list(LANDED_LOAD_COLUMNS)))]
            n = conn.execute(sql.SQL("select count(*) from {}").format(sql.Identifier(source, name))).fetchone()[0]
            values = [_replica_value(table, c) for c in columns]
            conn.execute(sql.SQL(
                "create table {target} as select (k * {n} + s.source_row)::integer as source_row, "
                "{la}::text as la_code, s.extract_date, {values} "
                "from {source} as s cross join generate_series(0, {last}) as k order by k, s.source_row").format(
                target=sql.Identifier(target, name), n=sql.Literal(n), la=sql.Literal(LARGE_LA),
                values=sql.SQL(", ").join(values), source=sql.Identifier(source, name),
                last=sql.Literal(copies - 1)))
            conn.execute(sql.SQL("vacuum analyze {}").format(sql.Identifier(target, name)))
            total += n * copies
    return total


def _replica_value(table: Table, column: str) -> sql.Composable:
    ident = sql.Identifier(column)
    if column in table.column_names and is_identifier(table, table.column(column)):
        return sql.SQL("case when s.{c} ~ '^[0-9]{{1,8}}$' then (s.{c}::bigint + k::bigint * {off})::text "
                       "else s.{c} end as {c}").format(c=ident, off=sql.Literal(ID_OFFSET))
    return sql.SQL("s.{c}").format(c=ident)


def _last_sql_pass_s() -> float | None:
    from csc_pipeline.validate import gate

    return gate.LAST_TIMINGS.get("sql_pass_s")


def _print_table(timings: list[Timing]) -> None:
    header = f"{'drop':<34} {'rows':>12} {'validation':>11} {'(SQL pass)':>11} {'full scan':>10} {'ratio':>6}  goal"
    _say("")
    _say(header)
    _say("-" * len(header) + "-" * 12)
    for t in timings:
        sql_pass = f"{t.sql_pass_s:.2f} s" if t.sql_pass_s is not None else ""
        if t.met is None:
            _say(f"{t.label:<34} {'':>12} {t.validation_s:>9.2f} s {'':>11} {t.scan_s:>8.2f} s "
                 f"{t.validation_s / t.scan_s:>5.1f}x  ({t.goal})")
            continue
        _say(f"{t.label:<34} {t.rows:>12,} {t.validation_s:>9.2f} s {sql_pass:>11} {t.scan_s:>8.2f} s "
             f"{t.validation_s / t.scan_s:>5.1f}x  {t.goal}: {'met' if t.met else 'NOT MET'}")


if __name__ == "__main__":
    sys.exit(main())
