"""The SQL templates of the checks (checks.py) expanded over one landed table.

A check's `where` is a predicate with tokens: `{{table:NAME}}` (a landed table, missing optional
columns read as NULL), `{{date:COLUMN}}` (the column parsed as a date through private.calendar),
`{{codes:SET}}`, `{{labels:SET[:CODE]}}` (the code set's labels and the council's mapping),
`{{la_code}}`, `{{extract_date}}`. Joins to relations over other tables are built once per drop
(`SharedRelations`).
"""

from __future__ import annotations

import re
from typing import Iterable

import psycopg
from psycopg import sql

from csc_pipeline.contract import CODE_SETS, TABLES_BY_NAME

from .check_results import DropContext
from .checks import Join, parsed_date, sql_literal

_TOKEN = re.compile(r"\{\{([a-z_]+)(?::([^{}]*))?\}\}")
_TRIMMED_KEY = re.compile(r"btrim\(t\.([a-z0-9_]+)\)")


class SharedRelations:
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


class TableQuery:
    """Expands the templates of checks over one table into a FROM clause and predicates."""

    def __init__(self, ctx: DropContext, relations: SharedRelations, table: str, raw_keys: bool = False):
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
            return sql_list([*cs.codes, *cs.aliases])
        if kind == "labels":
            code_set, _, code = arg.partition(":")
            return sql_list(ctx.labels(code_set, code or None))
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


def sql_list(values: Iterable[str]) -> str:
    items = list(dict.fromkeys(values))
    return "(" + ", ".join(sql_literal(v) for v in items) + ")" if items else "(null)"
