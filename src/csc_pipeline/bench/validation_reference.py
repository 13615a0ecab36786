"""The physical reference of validation: the same value checks in one pass per table, plus the
exact key checks alone, on the same landed tables, connections and session settings.

For each landed drop:
  - the key sets: the distinct keys of every table another table refers to, built as unlogged
    tables (as the gate builds its shared relations), timed;
  - per table, on `validation_connections` connections at once (the gate's): ONE query counting,
    for every row check that reads only the row itself (not null, formats, codes, Y/N, numbers,
    dates and their order, future dates: the gate's own predicates, expanded by its own
    templates), the rows breaking it; then the primary key's duplicates
    (`count(k) - count(distinct k)`) and one anti-join count per foreign key column against its
    key set.
Not in the reference: the checks that join other tables' rows (dates before a child's birth,
reviews within the period of care, records open after 18 or death, leading zeros against the
last good drop), the second passes locating failing rows, writing the results and Great
Expectations. They are what validation costs beyond the physical minimum.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import psycopg
from psycopg import sql

from csc_pipeline.contract import TABLES, TABLES_BY_NAME, Table
from csc_pipeline.deployment import ValidationConfig
from csc_pipeline.load.copy_in import landed_columns
from csc_pipeline.validate.check_results import DropContext
from csc_pipeline.validate.checks import checks_for
from csc_pipeline.validate.connections import on_connections
from csc_pipeline.validate.mapping import council_labels
from csc_pipeline.validate.sql_template import SharedRelations, TableQuery

__all__ = ["ReferenceTiming", "validation_reference", "build_key_sets", "primary_key_query", "foreign_key_queries",
           "value_checks"]

KEY_SET_PREFIX = "_bench_keys_"


@dataclass
class ReferenceTiming:
    key_sets_s: float = 0.0
    passes_s: float = 0.0  # value pass and key checks of every table
    rows: int = 0

    @property
    def seconds(self) -> float:
        return self.key_sets_s + self.passes_s

    def add(self, other: "ReferenceTiming") -> None:
        self.key_sets_s += other.key_sets_s
        self.passes_s += other.passes_s
        self.rows += other.rows

    def to_dict(self) -> dict:
        return {"seconds": self.seconds, "key_sets_s": self.key_sets_s, "passes_s": self.passes_s, "rows": self.rows}


def validation_reference(dsn: str, schema: str, tables: list[str], la_code: str, extract_date,
                         config: ValidationConfig) -> ReferenceTiming:
    """Time the reference over one landed drop (module docstring); leaves nothing behind."""
    present = [t.name for t in TABLES if t.name in tables]
    with psycopg.connect(dsn, autocommit=True) as conn:
        ctx = DropContext(schema=schema, la_code=la_code, extract_date=extract_date,
                          columns=landed_columns(conn, schema, present), council_labels=council_labels(conn, la_code),
                          previous_rows={}, config=config)
        conn.execute("select private.fill_calendar()")  # filled by the gate already; not timed
        queries = {name: _table_queries(ctx, conn, name, present) for name in present}
        rows = conn.execute(sql.SQL("select ") + sql.SQL(" + ").join(
            sql.SQL("(select count(*) from {})").format(sql.Identifier(schema, t)) for t in present)).fetchone()[0]
        timing = ReferenceTiming(rows=int(rows))
        connect = lambda: psycopg.connect(dsn, autocommit=True)  # noqa: E731
        workers = max(1, config.validation_connections)
        keys = _key_sources(schema, present)
        started = time.perf_counter()
        try:
            on_connections(conn, connect, ctx, workers, list(keys), lambda c, name: (
                c.execute(keys[name]), c.execute(sql.SQL("analyze {}").format(_key_set(schema, name)))))
            timing.key_sets_s = time.perf_counter() - started
            started = time.perf_counter()
            on_connections(conn, connect, ctx, workers, _largest_first(conn, schema, present),
                           lambda c, name: [c.execute(q).fetchone() for q in queries[name]])
            timing.passes_s = time.perf_counter() - started
        finally:
            for name in keys:
                conn.execute(sql.SQL("drop table if exists {}").format(_key_set(schema, name)))
    return timing


def _table_queries(ctx: DropContext, conn, name: str, present: list[str]) -> list[sql.Composable]:
    table = TABLES_BY_NAME[name]
    queries: list[sql.Composable] = [sql.SQL(value_checks(ctx, conn, name))]
    queries.append(primary_key_query(ctx.schema, table))
    queries += foreign_key_queries(ctx.schema, table, present, ctx.columns[name])
    return queries


def value_checks(ctx: DropContext, conn, name: str) -> str:
    """One query over the table: its rows and, per row check that joins no other table, the rows
    breaking it (the gate's predicates and templates)."""
    query = TableQuery(ctx, SharedRelations(conn, ctx), name)
    counts = [f"count(*) filter (where {query.expand(c.where)})" for c in checks_for(TABLES_BY_NAME[name])
              if c.where and not c.joins and all(ctx.has(t, col) for t, col in c.needs)]
    return f"select {', '.join(['count(*)', *counts])} from {query.from_clause()}"


def _key_set(schema: str, table: str) -> sql.Identifier:
    return sql.Identifier(schema, f"{KEY_SET_PREFIX}{table}")


def _parents(present: list[str]) -> dict[str, str]:
    """Referenced table -> its referenced column, for the tables of the drop."""
    return {c.references[0]: c.references[1] for t in TABLES if t.name in present
            for c in t.columns if c.references and c.references[0] in present}


def _key_sources(schema: str, present: list[str]) -> dict[str, sql.Composable]:
    return {table: sql.SQL("create unlogged table {} as select distinct {} as k from {}").format(
        _key_set(schema, table), sql.Identifier(column), sql.Identifier(schema, table))
        for table, column in sorted(_parents(present).items())}


def build_key_sets(conn: psycopg.Connection, schema: str, present: list[str]) -> dict[str, sql.Identifier]:
    """The key sets of the drop's referenced tables, built one after another on `conn`."""
    built = {}
    for table, statement in _key_sources(schema, present).items():
        conn.execute(sql.SQL("drop table if exists {}").format(_key_set(schema, table)))
        conn.execute(statement)
        conn.execute(sql.SQL("analyze {}").format(_key_set(schema, table)))
        built[table] = _key_set(schema, table)
    return built


def primary_key_query(schema: str, table: Table) -> sql.Composable:
    """Rows whose primary key repeats another's (keys as landed)."""
    key = sql.Identifier(table.primary_key.name)
    return sql.SQL('select count({k}) - count(distinct {k} collate "C") from {t}').format(
        k=key, t=sql.Identifier(schema, table.name))


def foreign_key_queries(schema: str, table: Table, present: list[str],
                        columns: list[str] | None = None) -> list[sql.Composable]:
    """One anti-join count per foreign key column of the table against its key set."""
    parents = _parents(present)
    return [sql.SQL("select count(*) from {t} as x where x.{c} is not null "
                    "and not exists (select from {keys} as p where p.k = x.{c})").format(
        t=sql.Identifier(schema, table.name), c=sql.Identifier(c.name), keys=_key_set(schema, c.references[0]))
        for c in table.columns
        if c.references and c.references[0] in parents and (columns is None or c.name in columns)]


def _largest_first(conn: psycopg.Connection, schema: str, tables: list[str]) -> list[str]:
    sizes = {t: conn.execute("select pg_relation_size(%s::regclass)",
                             (sql.Identifier(schema, t).as_string(None),)).fetchone()[0] for t in tables}
    return sorted(tables, key=lambda t: -sizes[t])


def drop_reference(landed: dict, config: ValidationConfig, dsn: str) -> ReferenceTiming:
    """The reference of one landed drop (a `LandedDrop.to_dict()`)."""
    from datetime import date

    drop = landed["drop"]
    return validation_reference(dsn, landed["schema"], sorted(landed["tables"]), drop["la_code"],
                                date.fromisoformat(drop["extract_date"]), config)

