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
    run in parallel workers;
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
import re
import time
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Iterable

import psycopg
from psycopg import sql

from ..contract import CODE_SETS, TABLES_BY_NAME
from .checks import Check, Join, parsed_date, sql_literal
from .config import ValidationConfig
from .report import MAX_SAMPLE_ROWS
from ..warehouse.schema import LOAD_COLUMNS
from .rules import CONTRACT_LIKE_NAME, ROW_NUMBER_COLUMN

log = logging.getLogger(__name__)

RESULTS_TABLE = "_csc_checks"
_TOKEN = re.compile(r"\{\{([a-z_]+)(?::([^{}]*))?\}\}")


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

def run_checks(conn: psycopg.Connection, ctx: DropContext, checks: dict[str, list[Check]]) -> list[CheckResult]:
    """Evaluate every table's checks in the landing schema; returns one result per check."""
    results: list[CheckResult] = []
    with conn.transaction():
        conn.execute(sql.SQL("set local work_mem = {}").format(sql.Literal(ctx.config.work_mem)))
        conn.execute("set local jit = off")
        relations = _Relations(conn, ctx)
        for table, table_checks in checks.items():
            started = time.perf_counter()
            results += _run_table(conn, ctx, relations, table, table_checks)
            log.debug("checked %s in %.2f s", table, time.perf_counter() - started)
        relations.drop()
    return results


def _run_table(conn, ctx: DropContext, relations: "_Relations", table: str, checks: list[Check]) -> list[CheckResult]:
    results = {c.id: CheckResult(c) for c in checks}
    row_checks = [c for c in checks if c.where and all(ctx.has(t, col) for t, col in c.needs)]
    for c in checks:
        if c.where and c not in row_checks:
            results[c.id].status = "skipped"
    rows: int | None = None
    try:
        query = _first_pass_query(ctx, relations, table, row_checks)
        with conn.transaction():
            row = conn.execute(query).fetchone()
            rows, counts = int(row[0]), [int(v or 0) for v in row[1:]]
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


def _first_pass_query(ctx, relations, table, checks: list[Check]) -> str:
    """ONE query over the table: its row count and, per check, the rows breaking it.

    A primary key is checked in the same statement by a scalar subquery comparing count(*)
    with count(distinct key) (sorting the keys, which extracts usually list in order); kept
    out of the main aggregate, it leaves that free to run in parallel."""
    q = _Query(ctx, relations, table)
    aggregates = []
    for c in checks:
        if c.rule == "primary_key_unique":
            # Keys that repeat, placeholders included: a cheap upper bound (exact in the second pass).
            aggregates.append(
                f"(select count(t.{c.column}) - count(distinct btrim(t.{c.column}) collate \"C\")"
                f" from {q.table_source(table)} as t)")
        elif _cannot_match(relations, q, c):
            aggregates.append("0")
        else:
            aggregates.append(f"count(*) filter (where {q.expand(c.where, c.joins)})")
    select = ", ".join(["count(*)", *aggregates])
    return f"select {select} from {q.from_clause()}"


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
    unlogged table in the landing schema (not a temporary table: parallel workers cannot read
    those), and dropped when the pass is over."""

    def __init__(self, conn: psycopg.Connection, ctx: DropContext):
        self.conn, self.ctx = conn, ctx
        self.names: dict[str, str] = {}
        self.rows: dict[str, int] = {}

    def name_of(self, relation_sql: str) -> str:
        name = self.names.get(relation_sql)
        if name is None:
            name = sql.Identifier(self.ctx.schema, f"_csc_rel_{len(self.names) + 1}").as_string(None)
            with self.conn.transaction():  # a failure leaves nothing half-made behind
                self.conn.execute(f"drop table if exists {name}")
                self.conn.execute(f"create unlogged table {name} as {relation_sql}")
                self.conn.execute(f"analyze {name}")
                self.rows[relation_sql] = self.conn.execute(f"select count(*) from {name}").fetchone()[0]
            self.names[relation_sql] = name
        return name

    def is_empty(self, relation_sql: str) -> bool:
        self.name_of(relation_sql)
        return self.rows[relation_sql] == 0

    def drop(self) -> None:
        for name in self.names.values():
            self.conn.execute(f"drop table if exists {name}")
        self.names.clear()


class _Query:
    """Expands the templates of checks over one table into a FROM clause and predicates."""

    def __init__(self, ctx: DropContext, relations: _Relations, table: str):
        self.ctx, self.relations, self.table = ctx, relations, table
        self.joins: dict[str, str] = {}  # alias -> "left join ... on ..."

    def expand(self, template: str, joins: Iterable[Join] = ()) -> str:
        for j in joins:
            if j.alias not in self.joins:
                relation = self.fill(j.relation)
                if self.is_shared(j):
                    source = self.relations.name_of(relation)
                else:
                    source = f"({relation})"
                self.joins[j.alias] = f"left join {source} as {j.alias} on {j.alias}.k = {self.fill(j.key)}"
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
