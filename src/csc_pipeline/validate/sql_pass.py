"""One SQL pass per table: every check of the table's suite counted in a single query.

The checks (checks.py, from the contract) hold each check's SQL. For one landed table the
gate builds ONE query that scans it once and computes, for every row check, the
number of rows breaking it (`count(*) filter (where <violation>)`), with the keys
of other tables and the parsed dates it needs joined in. Only for the few checks
that fail does a second, small query fetch the first five `source_row` numbers
(never values: a code column can hold names when headers are swapped; the operator's
`csc validation values` prints them on a terminal, see unmapped_values.py).
Table checks (columns present, empty table, volume against the last good drop)
are computed from the catalogue and the same count. Every result goes into one
small table of the landing schema, `_csc_checks`, which is what the Great
Expectations suites evaluate (gate.py): one expectation per check.

Speed matters (a council in seconds, ten million rows within a few scans), so:
  - relations shared by several tables (a drop's person keys with dates of birth,
    periods of care) are built once per drop as unlogged tables, so that the passes can
    run in parallel workers and on other connections;
  - the tables are checked on two connections at once (`validation_connections`), so
    that one query's serial steps (the primary key's sort) overlap another's parallel scan;
  - keys are first compared as landed, not trimmed; only when a key has spaces around it
    is the table counted again on trimmed keys (see _first_pass_query);
  - dates are parsed through private.calendar, a lookup of every date 1900–2099 in
    the accepted spellings, falling back to private.parse_date for anything else
    (same answer, see sql/052_calendar.sql);
  - a not-null test only calls private.is_null_value when a cheap necessary
    condition holds;
  - a primary key is checked by comparing count(*) with count(distinct) in the same
    statement; the rows sharing a key are found only when there are some;
  - JIT compilation is off (it costs more than it saves on these queries).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

import psycopg
from psycopg import sql

from csc_pipeline.contract.rules import ROW_NUMBER_COLUMN
from csc_pipeline.issues import MAX_SAMPLE_ROWS

from .check_results import CheckResult, DropContext
from .checks import Check
from .connections import on_connections
from .sql_template import SharedRelations, TableQuery
from .table_checks import evaluate_table_check

log = logging.getLogger(__name__)


def run_checks(conn: psycopg.Connection, ctx: DropContext, checks: dict[str, list[Check]],
               connect: Callable[[], psycopg.Connection] | None = None) -> list[CheckResult]:
    """Evaluate every table's checks in the landing schema; returns one result per check.

    First the relations the tables share are built, then every table's pass runs (largest
    first). With `connect`, both steps run on `ctx.config.validation_connections`
    connections at once, so that one query's serial steps overlap another's parallel scan;
    without it, one after another on `conn`, which must not be inside a transaction (the
    relations are committed, whatever fails)."""
    if conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
        raise ValueError("run_checks needs a connection outside any transaction")
    started = time.perf_counter()
    workers = max(1, ctx.config.validation_connections) if connect else 1
    relations = SharedRelations(conn, ctx)
    try:
        for table, table_checks in checks.items():
            _first_pass_query(ctx, relations, table, _row_checks(ctx, table_checks))  # names what they need
        on_connections(conn, connect, ctx, workers, relations.pending(), relations.build)
        relations.freeze()
        built = time.perf_counter()
        order = _largest_first(conn, ctx.schema, list(checks))
        by_table = on_connections(conn, connect, ctx, workers, order,
                                   lambda c, table: _run_table(c, ctx, relations, table, checks[table]))
        log.info("%s: shared relations built in %.2f s, %d tables checked in %.2f s on %d connection(s)",
                 ctx.schema, built - started, len(order), time.perf_counter() - built, workers)
    finally:
        conn.rollback()
        relations.drop()
        conn.commit()
    return [r for table in checks for r in by_table[table]]


def _largest_first(conn: psycopg.Connection, schema: str, tables: list[str]) -> list[str]:
    sizes = {name: conn.execute("select pg_relation_size(%s::regclass)",
                                (sql.Identifier(schema, name).as_string(None),)).fetchone()[0] for name in tables}
    return sorted(tables, key=lambda name: -sizes[name])


def _row_checks(ctx: DropContext, checks: list[Check]) -> list[Check]:
    """The row checks that can run: those whose columns the drop has."""
    return [c for c in checks if c.where and all(ctx.has(t, col) for t, col in c.needs)]


def _run_table(conn, ctx: DropContext, relations: "SharedRelations", table: str, checks: list[Check]) -> list[CheckResult]:
    results = {c.id: CheckResult(c) for c in checks}
    row_checks = _row_checks(ctx, checks)
    for c in checks:
        if c.where and c not in row_checks:
            results[c.id].status = "skipped"
    rows: int | None = None
    try:
        with conn.transaction():
            query, guards = _first_pass_query(ctx, relations, table, row_checks, raw_keys=True)
            row = conn.execute(query).fetchone()
            if any(row[i] for i in guards):
                # Some key has a leading or trailing space: the raw keys may miss, count again on
                # trimmed keys (exact, slower).
                query, _ = _first_pass_query(ctx, relations, table, row_checks, raw_keys=False)
                row = conn.execute(query).fetchone()
            rows, counts = int(row[0]), [int(v or 0) for v in row[1:len(row_checks) + 1]]
            for c, n in zip(row_checks, counts):
                if n:
                    r = results[c.id]
                    r.violations, r.sample_rows = _second_pass(conn, ctx, relations, table, c, n)
                    r.status = "failed" if r.violations else "passed"
    except psycopg.Error as exc:
        # Report which check and what kind of error, never the server's message: it can quote data.
        error = type(exc).__name__
        log.warning("%s: the checks could not run (%s, SQLSTATE %s)", table, error, exc.sqlstate)
        for c in row_checks:
            results[c.id].status, results[c.id].error = "error", error
    for c in checks:
        if not c.where:
            evaluate_table_check(ctx, table, c, rows, results[c.id])
    return list(results.values())


def _first_pass_query(ctx, relations, table, checks: list[Check], raw_keys: bool = False) -> tuple[str, list[int]]:
    """ONE query over the table: its row count and, per check, the rows breaking it.

    A primary key is checked in the same statement by a scalar subquery comparing count(*)
    with count(distinct key) (sorting the keys, which extracts usually list in order); kept
    out of the main aggregate, it leaves that free to run in parallel.

    With `raw_keys`, keys are compared as landed instead of trimmed, which builds no string
    per row. The answer is the same when some columns of the result are 0, and the query
    also returns their positions (`guards`); otherwise the caller asks again without
    `raw_keys`. A key of another table (trimmed) that matches a value as landed matches it
    trimmed too, so only rows matching nothing can differ, and the foreign key check on that
    column counts them. Other keys (the primary key) get a last column counting the rows
    where they start or end with a space."""
    q = TableQuery(ctx, relations, table, raw_keys=raw_keys)
    aggregates = []
    for c in checks:
        if c.rule == "primary_key_unique":
            # Keys that repeat, placeholders included: a cheap upper bound (exact in the second pass).
            key = q.key(f"btrim(t.{c.column})")
            aggregates.append(
                f"(select count(t.{c.column}) - count(distinct {key} collate \"C\")"
                f" from {q.table_source(table)} as t)")
        elif _cannot_match(relations, q, c):
            aggregates.append("0")
        else:
            aggregates.append(f"count(*) filter (where {q.expand(c.where, c.joins)})")
    # join alias -> position of the foreign key check counting the rows its raw key missed
    counted = {c.joins[0].alias: i + 1 for i, c in enumerate(checks)
               if c.rule == "foreign_key" and c.joins[0].alias in q.raw_joins}
    guards = list(counted.values())
    unguarded = q.raw_columns | {column for alias, column in q.raw_joins.items() if alias not in counted}
    if unguarded:
        padded = " or ".join(f"t.{col} like ' %' or t.{col} like '% '" for col in sorted(unguarded))
        aggregates.append(f"count(*) filter (where {padded})")
        guards.append(len(aggregates))
    select = ", ".join(["count(*)", *aggregates])
    return f"select {select} from {q.from_clause()}", guards


def _cannot_match(relations: SharedRelations, q: "TableQuery", check: Check) -> bool:
    """A check broken only by rows matching a relation that is empty (e.g. no zero-padded ids
    in the last good drop) is not evaluated at all."""
    return any(check.where == f"{j.alias}.k is not null" and q.is_shared(j)
               and relations.is_empty(q.fill(j.relation)) for j in check.joins)


def _second_pass(conn, ctx, relations, table, check: Check, counted: int) -> tuple[int, list[int]]:
    """For a failing check: the exact number of rows and the first row numbers."""
    q = TableQuery(ctx, relations, table)
    where = q.expand(check.where, check.joins)
    source = q.from_clause()
    if check.rule == "primary_key_unique":
        counted = conn.execute(f"select count(*) from {source} where {where}").fetchone()[0]
    samples = [r[0] for r in conn.execute(
        f"select t.{ROW_NUMBER_COLUMN} from {source} where {where} order by t.{ROW_NUMBER_COLUMN} "
        f"limit {MAX_SAMPLE_ROWS}")]
    return int(counted), samples
