"""One SQL pass per table: every check of the table's suite counted in a single query.

The suites (suites.py) hold each check's SQL (checks.py). For one landed table the
gate builds ONE query that scans it once and computes, for every row check, the
number of rows breaking it (`count(*) filter (where <violation>)`), with the keys
of other tables and the parsed dates it needs joined in. Only for the few checks
that fail does a second, small query fetch the first five `source_row` numbers
(and, for coded non-personal columns, the offending values with their counts).
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

import json
import logging
import queue
import re
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Iterable

import psycopg
from psycopg import sql

from csc_pipeline.contract import CODE_SETS, TABLES_BY_NAME
from .checks import Check, Join, parsed_date, sql_literal
from csc_pipeline.deployment import ValidationConfig
from csc_pipeline.issues import MAX_SAMPLE_ROWS
from csc_pipeline.warehouse.schema import LOAD_COLUMNS
from csc_pipeline.contract.rules import CONTRACT_LIKE_NAME, ROW_NUMBER_COLUMN

log = logging.getLogger(__name__)

RESULTS_TABLE = "_csc_checks"
_TOKEN = re.compile(r"\{\{([a-z_]+)(?::([^{}]*))?\}\}")
_TRIMMED_KEY = re.compile(r"btrim\(t\.([a-z0-9_]+)\)")


@dataclass
class CheckResult:
    check: Check
    status: str = "passed"  # passed | failed | skipped | error
    violations: int = 0
    sample_rows: list[int] = field(default_factory=list)
    detail: dict[str, Any] = field(default_factory=dict)
    error: str | None = None


@dataclass
class DropContext:
    """What the checks of one drop are evaluated against."""

    schema: str
    la_code: str
    extract_date: date
    columns: dict[str, list[str]]  # landed table -> its columns (file columns + landing ones)
    council_labels: dict[str, dict[str, str]]  # code set -> {normalised label: code}
    previous_rows: dict[str, int]  # table -> rows in the last good drop (absent: no comparison)
    config: ValidationConfig

    def labels(self, code_set: str, code: str | None = None) -> list[str]:
        merged = {**CODE_SETS[code_set].labels(), **self.council_labels.get(code_set, {})}
        return sorted(label for label, c in merged.items() if code is None or c == code)

    def has(self, table: str, column: str) -> bool:
        return column in self.columns.get(table, ())


# -- running ----------------------------------------------------------------------------------

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
    relations = _Relations(conn, ctx)
    try:
        for table, table_checks in checks.items():
            _first_pass_query(ctx, relations, table, _row_checks(ctx, table_checks))  # names what they need
        _on_connections(conn, connect, ctx, workers, relations.pending(), relations.build)
        relations.freeze()
        built = time.perf_counter()
        order = _largest_first(conn, ctx.schema, list(checks))
        by_table = _on_connections(conn, connect, ctx, workers, order,
                                   lambda c, table: _run_table(c, ctx, relations, table, checks[table]))
        log.info("%s: shared relations built in %.2f s, %d tables checked in %.2f s on %d connection(s)",
                 ctx.schema, built - started, len(order), time.perf_counter() - built, workers)
    finally:
        conn.rollback()
        relations.drop()
        conn.commit()
    return [r for table in checks for r in by_table[table]]


def _on_connections(conn: psycopg.Connection, connect, ctx: DropContext, workers: int, items: list[str],
                    work: Callable[[psycopg.Connection, str], Any]) -> dict[str, Any]:
    """work(connection, item) for every item: on `conn` one after another (workers == 1), else
    on `workers` new connections at once, each taking the next item when it is free."""
    done: dict[str, Any] = {}
    if workers == 1:
        with conn.transaction():
            _session_settings(conn, ctx, local=True)
            for item in items:
                done[item] = work(conn, item)
        return done
    pending: queue.SimpleQueue[str] = queue.SimpleQueue()
    for item in items:
        pending.put(item)

    def worker() -> None:
        try:
            own = connect()
        except psycopg.OperationalError as exc:  # e.g. max_connections reached: carry on with fewer
            log.warning("could not open another connection for validation (%s, SQLSTATE %s)",
                        type(exc).__name__, exc.sqlstate)
            return
        with own:
            _session_settings(own, ctx, local=False)
            while True:
                try:
                    item = pending.get_nowait()
                except queue.Empty:
                    return
                done[item] = work(own, item)

    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="csc-validate") as pool:
        for future in [pool.submit(worker) for _ in range(min(workers, len(items)))]:
            future.result()
    left = [item for item in items if item not in done]  # no other connection could be opened
    if left:
        done.update(_on_connections(conn, None, ctx, 1, left, work))
    return done


def _session_settings(conn: psycopg.Connection, ctx: DropContext, *, local: bool) -> None:
    scope = sql.SQL("local ") if local else sql.SQL("")
    conn.execute(sql.SQL("set {}work_mem = {}").format(scope, sql.Literal(ctx.config.work_mem)))
    conn.execute(sql.SQL("set {}jit = off").format(scope))


def _largest_first(conn: psycopg.Connection, schema: str, tables: list[str]) -> list[str]:
    sizes = {name: conn.execute("select pg_relation_size(%s::regclass)",
                                (sql.Identifier(schema, name).as_string(None),)).fetchone()[0] for name in tables}
    return sorted(tables, key=lambda name: -sizes[name])


def _row_checks(ctx: DropContext, checks: list[Check]) -> list[Check]:
    """The row checks that can run: those whose columns the drop has."""
    return [c for c in checks if c.where and all(ctx.has(t, col) for t, col in c.needs)]


def _run_table(conn, ctx: DropContext, relations: "_Relations", table: str, checks: list[Check]) -> list[CheckResult]:
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
                    r.violations, r.sample_rows, values = _second_pass(conn, ctx, relations, table, c, n)
                    r.status = "failed" if r.violations else "passed"
                    if values is not None:
                        r.detail["values"] = values
    except psycopg.Error as exc:
        # Report which check and what kind of error, never the server's message: it can quote data.
        error = type(exc).__name__
        log.warning("%s: the checks could not run (%s, SQLSTATE %s)", table, error, exc.sqlstate)
        for c in row_checks:
            results[c.id].status, results[c.id].error = "error", error
    for c in checks:
        if not c.where:
            _table_check(ctx, table, c, rows, results[c.id])
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
    q = _Query(ctx, relations, table, raw_keys=raw_keys)
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


def _cannot_match(relations: _Relations, q: "_Query", check: Check) -> bool:
    """A check broken only by rows matching a relation that is empty (e.g. no zero-padded ids
    in the last good drop) is not evaluated at all."""
    return any(check.where == f"{j.alias}.k is not null" and q.is_shared(j)
               and relations.is_empty(q.fill(j.relation)) for j in check.joins)


def _second_pass(conn, ctx, relations, table, check: Check, counted: int) -> tuple[int, list[int], list | None]:
    """For a failing check: the exact number of rows, the first row numbers, the values (if allowed)."""
    q = _Query(ctx, relations, table)
    where = q.expand(check.where, check.joins)
    source = q.from_clause()
    if check.rule == "primary_key_unique":
        counted = conn.execute(f"select count(*) from {source} where {where}").fetchone()[0]
    samples = [r[0] for r in conn.execute(
        f"select t.{ROW_NUMBER_COLUMN} from {source} where {where} order by t.{ROW_NUMBER_COLUMN} "
        f"limit {MAX_SAMPLE_ROWS}")]
    values = None
    if check.collect_values and check.column and not TABLES_BY_NAME[table].column(check.column).pii:
        limit, chars = ctx.config.unmapped_values_max, ctx.config.unmapped_value_chars
        found = conn.execute(
            f"select left(btrim(t.{check.column}), {int(chars)}), count(*) from {source} where {where} "
            f"group by 1 order by 2 desc, 1 limit {int(limit) + 1}").fetchall()
        values = [[v, int(n)] for v, n in found[:limit]]
        if len(found) > limit:
            values.append(["…", None])  # more distinct values than reported
    return int(counted), samples, values


def _table_check(ctx: DropContext, table: str, check: Check, rows: int | None, result: CheckResult) -> None:
    landed = [c for c in ctx.columns.get(table, []) if c not in LOAD_COLUMNS]
    cfg = ctx.config
    if check.rule == "required_column":
        missing = [c for c in check.params["columns"] if c not in landed]
        if missing:
            result.status, result.violations, result.detail = "failed", len(missing), {"columns": missing}
    elif check.rule == "unknown_column":
        unknown = [c for c in landed if c not in check.params["columns"]]
        if unknown:
            prefix = TABLES_BY_NAME[table].primary_key.name.split("_", 1)[0] + "_"
            shown = sorted(c for c in unknown if CONTRACT_LIKE_NAME.match(c) and c.startswith(prefix))
            result.status, result.violations = "failed", len(unknown)
            result.detail = {"columns": shown, "withheld": len(unknown) - len(shown), "prefix": prefix}
    elif rows is None:
        result.status = "skipped"
    elif check.rule == "table_not_empty":
        if rows == 0:
            result.status, result.violations = "failed", 1
    elif check.rule in ("volume_shrink", "volume_growth"):
        previous = ctx.previous_rows.get(table)
        if previous is None or previous < cfg.volume_min_rows:
            result.status = "skipped"
            return
        change = (rows - previous) / previous * 100
        limit = cfg.volume_shrink_max_pct if check.rule == "volume_shrink" else cfg.volume_growth_max_pct
        broken = -change > limit if check.rule == "volume_shrink" else change > limit
        result.detail = {"previous": previous, "rows": rows, "change_pct": round(change, 1), "limit_pct": limit}
        if broken:
            result.status, result.violations = "failed", abs(rows - previous)


# -- building the SQL ---------------------------------------------------------------------

class _Relations:
    """Derived relations of the drop (keys of other tables), each built once per drop as an
    unlogged table in the landing schema (not a temporary table: parallel workers and the
    other connections cannot read those), and dropped when the passes are over.

    Planning the passes names the relations they need; build() then creates them (committed,
    so that every connection sees them), before the passes run."""

    def __init__(self, conn: psycopg.Connection, ctx: DropContext):
        self.conn, self.ctx = conn, ctx
        self.names: dict[str, str] = {}  # relation SQL -> its table
        self.rows: dict[str, int] = {}  # relation SQL -> its rows, once built
        self.frozen = False  # once the passes run, nothing new is named

    def name_of(self, relation_sql: str) -> str:
        name = self.names.get(relation_sql)
        if name is None:
            if self.frozen:
                raise RuntimeError("a relation was not built before the passes started")
            name = sql.Identifier(self.ctx.schema, f"_csc_rel_{len(self.names) + 1}").as_string(None)
            self.names[relation_sql] = name
        return name

    def pending(self) -> list[str]:
        return [r for r in self.names if r not in self.rows]

    def build(self, conn: psycopg.Connection, relation_sql: str) -> None:
        name = self.names[relation_sql]
        with conn.transaction():  # a failure leaves nothing half-made behind
            conn.execute(f"drop table if exists {name}")
            conn.execute(f"create unlogged table {name} as {relation_sql}")
            conn.execute(f"analyze {name}")
            self.rows[relation_sql] = conn.execute(f"select count(*) from {name}").fetchone()[0]

    def freeze(self) -> None:
        self.frozen = True

    def is_empty(self, relation_sql: str) -> bool:
        """Known to have no rows (False until built)."""
        self.name_of(relation_sql)
        return self.rows.get(relation_sql) == 0

    def drop(self) -> None:
        for name in self.names.values():
            self.conn.execute(f"drop table if exists {name}")
        self.names.clear()
        self.rows.clear()
        self.frozen = False


class _Query:
    """Expands the templates of checks over one table into a FROM clause and predicates."""

    def __init__(self, ctx: DropContext, relations: _Relations, table: str, raw_keys: bool = False):
        self.ctx, self.relations, self.table = ctx, relations, table
        self.joins: dict[str, str] = {}  # alias -> "left join ... on ..."
        self.raw_keys = raw_keys
        self.raw_columns: set[str] = set()  # with raw_keys: columns compared as landed...
        self.raw_joins: dict[str, str] = {}  # ...and, of those, the joins' (alias -> column)

    def key(self, key_sql: str, alias: str | None = None) -> str:
        """A key `btrim(t.column)`, or with raw_keys `t.column` (noting the column)."""
        m = _TRIMMED_KEY.fullmatch(key_sql)
        if not (self.raw_keys and m):
            return key_sql
        if alias:
            self.raw_joins[alias] = m.group(1)
        else:
            self.raw_columns.add(m.group(1))
        return f"t.{m.group(1)}"

    def expand(self, template: str, joins: Iterable[Join] = ()) -> str:
        for j in joins:
            if j.alias not in self.joins:
                relation = self.fill(j.relation)
                if self.is_shared(j):
                    source = self.relations.name_of(relation)
                else:
                    source = f"({relation})"
                key = self.key(self.fill(j.key), j.alias)
                self.joins[j.alias] = f"left join {source} as {j.alias} on {j.alias}.k = {key}"
        return self.fill(template)

    def is_shared(self, j: Join) -> bool:
        """A relation over other tables (or the last good drop) is built once per drop."""
        return f"{{{{table:{self.table}}}}}" not in j.relation

    def from_clause(self) -> str:
        return " ".join([f"{self._table(self.table)} as t", *self.joins.values()])

    def table_source(self, name: str) -> str:
        return self._table(name)

    def fill(self, template: str) -> str:
        return _TOKEN.sub(self._token, template)

    def _token(self, m: re.Match) -> str:
        kind, arg = m.group(1), m.group(2)
        ctx = self.ctx
        if kind == "table":
            return self._table(arg)
        if kind == "date":
            alias = f"cal_{arg}"
            if alias not in self.joins:
                self.joins[alias] = f"left join private.calendar as {alias} on {alias}.form = t.{arg}"
            return parsed_date("t", arg)
        if kind == "codes":
            cs = CODE_SETS[arg]
            return _sql_list([*cs.codes, *cs.aliases])
        if kind == "labels":
            code_set, _, code = arg.partition(":")
            return _sql_list(ctx.labels(code_set, code or None))
        if kind == "la_code":
            return sql_literal(ctx.la_code)
        if kind == "extract_date":
            return f"date {sql_literal(ctx.extract_date.isoformat())}"
        raise ValueError(f"unknown template token {m.group(0)}")

    def _table(self, name: str) -> str:
        """The landed table; contract columns its file lacked (optional ones) read as NULL."""
        ident = sql.Identifier(self.ctx.schema, name).as_string(None)
        have = set(self.ctx.columns.get(name, ()))
        absent = [c for c in TABLES_BY_NAME[name].column_names if c not in have]
        if not absent:
            return ident
        nulls = ", ".join(f"null::text as {sql.Identifier(c).as_string(None)}" for c in absent)
        return f"(select *, {nulls} from {ident})"


def _sql_list(values: Iterable[str]) -> str:
    items = list(dict.fromkeys(values))
    return "(" + ", ".join(sql_literal(v) for v in items) + ")" if items else "(null)"


# -- the results table ----------------------------------------------------------------------

def write_results(conn: psycopg.Connection, schema: str, results: list[CheckResult]) -> None:
    """(Re)create `<landing schema>._csc_checks`: one row per check, counts and row numbers only
    (and unmapped values of coded, non-personal columns)."""
    table = sql.Identifier(schema, RESULTS_TABLE)
    with conn.transaction():
        conn.execute(sql.SQL("drop table if exists {}").format(table))
        conn.execute(sql.SQL(
            "create table {} (check_id text not null, table_name text not null, rule text not null,"
            " column_name text, status text not null, violations bigint not null, sample_rows integer[] not null,"
            " detail jsonb not null, error text)").format(table))
        with conn.cursor() as cur:
            with cur.copy(sql.SQL("copy {} from stdin").format(table)) as copy:
                for r in results:
                    c = r.check
                    copy.write_row([c.id, c.table, c.rule, c.column, r.status, r.violations,
                                    r.sample_rows, json.dumps(r.detail), r.error])
