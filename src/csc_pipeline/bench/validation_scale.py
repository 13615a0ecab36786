"""Validation at scale: how long the gate takes, beside one full scan of the same tables.

Generates the demo council (about 300 children looked after, one drop) in its own throwaway
server, lands it as the nightly run does, and times:
  - validation of the council's drop (the gate: one SQL pass per table, then the Great
    Expectations suites), first run (Great Expectations imported) and warm;
  - one full scan of the same landed tables: one query per table computing a cheap function
    (the length) of every value of every column;
then replicates the council's rows in SQL, with every identifier offset per copy, into a drop
of about ten million rows, and times both again.

Goals: the council validated in under 10 s; ten million rows validated within 3x the scan.

For the large drop it also times the key checks alone, in their cheapest exact form and with
nothing else computed: count(distinct) of each primary key, and one anti-join count per foreign
key column against that table's keys (built beforehand, not timed), one query after another. A
validation that checks keys exactly can hardly beat that, so it shows how much of the 3x the key
checks leave for everything else.
"""

from __future__ import annotations

import math
import time
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path

import psycopg
from psycopg import sql

from csc_pipeline.contract import TABLES_BY_NAME, Table
from csc_pipeline.contract.loaded import LANDED_LOAD_COLUMNS
from csc_pipeline.validate.checks import is_identifier

from .report import BenchError, say
from .server import scenario_deployment, scenario_server
from .validation_reference import build_key_sets, foreign_key_queries, primary_key_query

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

    def to_dict(self) -> dict:
        return asdict(self)


def validation_at_scale(state: Path, *, council_size: int, rows: int, skip_large: bool) -> list[Timing]:
    """The measurements above, in a throwaway server of their own under `state`."""
    from csc_pipeline import deployment

    with scenario_server(state) as server, deployment.using(scenario_deployment(state)):
        return run(server.dsn, state, council_size=council_size, rows=rows, skip_large=skip_large)


def run(dsn: str, state: Path, *, council_size: int, rows: int, skip_large: bool) -> list[Timing]:
    from csc_pipeline.generate import generate_council
    from csc_pipeline.drops.finder import find_drops
    from csc_pipeline.load import audit
    from csc_pipeline.load.copy_in import land_drop
    from csc_pipeline.validate.gate import validate_drop

    say(f"generating the demo council ({council_size} children looked after, one drop) ...")
    landing = state / "landing"
    generate_council(landing, la_code=DEMO_LA, children_looked_after=council_size, nights=1,
                     last_extract_date=EXTRACT_DATE)
    (drop,) = find_drops(landing)
    with psycopg.connect(dsn, autocommit=True) as conn:
        load_id = audit.start_load(conn, drop, drop.manifest, run_id="bench")
        landed = land_drop(conn, drop, drop.manifest, load_id)
    if landed.issues:
        raise BenchError(f"the demo drop did not land cleanly: {[i.to_text() for i in landed.issues]}")
    tables = sorted(landed.tables)
    council_rows = sum(landed.row_counts.values())
    say(f"landed {council_rows:,} rows in {len(tables)} tables; validating ...")

    def validate(schema_name: str, la_code: str):
        started = time.perf_counter()
        report = validate_drop(dsn, schema_name, tables_present=tables, la_code=la_code, extract_date=EXTRACT_DATE)
        elapsed = time.perf_counter() - started
        if not report.success:
            raise BenchError(f"{schema_name} did not pass validation:\n{report.to_text()}")
        return elapsed, _last_sql_pass_s()

    first, _ = validate(landed.schema, DEMO_LA)
    warm, warm_sql = validate(landed.schema, DEMO_LA)
    scan = full_scan(dsn, landed.schema, tables)
    timings = [
        Timing(f"council, first run ({council_size} CLA)", council_rows, first, None, scan,
               "< 10 s", first < 10),
        Timing(f"council ({council_size} CLA)", council_rows, warm, warm_sql, scan, "< 10 s", warm < 10),
    ]
    if not skip_large:
        copies = max(1, math.ceil(rows / council_rows))
        large = f"landing_{LARGE_LA.lower()}_{EXTRACT_DATE:%Y%m%d}"
        say(f"replicating the council {copies} times in SQL (ids offset per copy) ...")
        started = time.perf_counter()
        large_rows = replicate(dsn, landed.schema, large, tables, copies)
        say(f"built {large_rows:,} rows in {time.perf_counter() - started:.0f} s; scanning and validating ...")
        full_scan(dsn, large, tables)  # both measured with the tables in the page cache
        scan = full_scan(dsn, large, tables)
        elapsed, sql_s = validate(large, LARGE_LA)
        size = f"{large_rows / 1e6:.1f} million rows" if large_rows >= 1_000_000 else f"{large_rows:,} rows"
        timings.append(Timing(f"{size} ({copies} councils)", large_rows, elapsed,
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
    cheapest exact form (keys as landed), nothing else computed, one query after another;
    the key sets are built beforehand, not timed."""
    present = [TABLES_BY_NAME[t] for t in tables]
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("set work_mem = '256MB'")
        conn.execute("set jit = off")
        keys = build_key_sets(conn, schema_name, tables)
        started = time.perf_counter()
        for t in present:
            conn.execute(primary_key_query(schema_name, t)).fetchone()
        primary = time.perf_counter() - started
        started = time.perf_counter()
        for t in present:
            for query in foreign_key_queries(schema_name, t, tables):
                conn.execute(query).fetchone()
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
