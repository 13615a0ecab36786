"""What a source database is, and the reader each kind provides.

A `SourceSpec` says how to reach a council's SSD tables (kind, DSN, schema, per-table names)
and how messages name it (`label`: the Airflow connection id, or the DSN without credentials).
A `Reader` is one open connection to it; `postgres.py` and `sqlserver.py` provide one each, with
a `Dialect` holding their SQL text (so the SQL Server dialect is tested without a server).
"""

from __future__ import annotations

import abc
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import parse_qsl, unquote, urlsplit

from csc_pipeline.contract import Column, Table
from .errors import SourceStructureError

Kind = Literal["postgres", "sqlserver"]
BATCH_ROWS = 5000  # rows fetched from the server at a time: memory stays flat in table size


@dataclass(frozen=True)
class SourceSpec:
    kind: Kind
    dsn: str  # libpq conninfo/URL (postgres) or an ODBC connection string (sqlserver)
    label: str  # how messages name this source; never holds a password
    schema: str = "ssd_development"
    tables: Mapping[str, str] = field(default_factory=dict)  # contract table -> source table name
    readiness_query: str | None = None

    def table_ref(self, table: str) -> "TableRef":
        """Where a contract table lives: its override (`name` or `schema.name`) or the schema's table."""
        name = self.tables.get(table, table)
        if "." in name:
            schema, name = name.split(".", 1)
            return TableRef(schema, name)
        return TableRef(self.schema, name)


@dataclass(frozen=True)
class TableRef:
    schema: str
    name: str

    def __str__(self) -> str:
        return f"{self.schema}.{self.name}"


@dataclass(frozen=True)
class SourceColumn:
    name: str  # as the source spells it
    data_type: str  # as the source's information_schema names it, lower case


class Dialect(abc.ABC):
    """The SQL a kind of server needs. Values from the configuration are written as literals
    (catalog lookups only), so every statement is a plain string a test can read."""

    # source data type -> what it holds: text, date, datetime, number, bool, uuid
    TYPES: Mapping[str, str] = {}

    @abc.abstractmethod
    def quote(self, identifier: str) -> str: ...

    def literal(self, value: str) -> str:
        return "'" + value.replace("'", "''") + "'"

    def qualified(self, ref: TableRef) -> str:
        return f"{self.quote(ref.schema)}.{self.quote(ref.name)}"

    def find_table(self, ref: TableRef) -> str:
        """The table's own spelling of schema and name (matched ignoring letter case), if it exists."""
        return ("select table_schema, table_name from information_schema.tables"
                f" where lower(table_schema) = lower({self.literal(ref.schema)})"
                f" and lower(table_name) = lower({self.literal(ref.name)})")

    def columns(self, ref: TableRef) -> str:
        return ("select column_name, data_type from information_schema.columns"
                f" where table_schema = {self.literal(ref.schema)} and table_name = {self.literal(ref.name)}"
                " order by ordinal_position")

    @abc.abstractmethod
    def has_rows(self, ref: TableRef) -> str: ...

    @abc.abstractmethod
    def order_key(self, column: SourceColumn) -> str:
        """ORDER BY text that sorts the same on every run: binary order for text, whatever the collation."""

    def select(self, ref: TableRef, columns: Sequence[SourceColumn], key: SourceColumn) -> str:
        cols = ", ".join(self.quote(c.name) for c in columns)
        return f"SELECT {cols} FROM {self.qualified(ref)} ORDER BY {self.order_key(key)}"

    def category(self, data_type: str) -> str | None:
        return self.TYPES.get(data_type.lower())


# Which source types may hold each contract type (anything may hold text and codes).
_ACCEPTED = {
    "date": {"date", "datetime", "text"},
    "number": {"number", "text"},
    "yn": {"text", "bool", "number"},
}


def check_column_type(dialect: Dialect, table: Table, column: Column, source: SourceColumn, ref: TableRef,
                      label: str) -> str:
    """The category of a source column, or a clear error when it cannot hold the contract's column."""
    category = dialect.category(source.data_type)
    if category is None:
        raise SourceStructureError(
            f"{label}: column {ref}.{source.name} has type {source.data_type}, which the extract cannot write "
            f"(extract-contract {table.name}.{column.name} is {column.type})")
    if category not in _ACCEPTED.get(column.type, {category}):
        raise SourceStructureError(
            f"{label}: column {ref}.{source.name} has type {source.data_type}; extract-contract "
            f"{table.name}.{column.name} is a {column.type} column")
    return category


class Reader(abc.ABC):
    """One connection to a source: a context manager; `begin_snapshot` .. `end_snapshot` around the reads."""

    dialect: Dialect

    def __init__(self, spec: SourceSpec):
        self.spec = spec

    def __enter__(self) -> "Reader":
        self.connect()
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @abc.abstractmethod
    def connect(self) -> None: ...

    @abc.abstractmethod
    def close(self) -> None: ...

    @abc.abstractmethod
    def query(self, sql: str) -> list[tuple]:
        """A small catalog or readiness query, all rows."""

    @abc.abstractmethod
    def begin_snapshot(self, tables: Sequence[TableRef]) -> None:
        """Start the one consistent, read-only view every table is read in."""

    @abc.abstractmethod
    def end_snapshot(self) -> None: ...

    @abc.abstractmethod
    def stream(self, sql: str) -> Iterator[Sequence[tuple]]:
        """Rows in batches of BATCH_ROWS, fetched from the server as they are consumed."""

    # -- shared ---------------------------------------------------------------------------------

    def resolve(self, ref: TableRef) -> TableRef | None:
        """The table as the source spells it, or None when it does not exist."""
        rows = self.query(self.dialect.find_table(ref))
        exact = [r for r in rows if (r[0], r[1]) == (ref.schema, ref.name)]
        return TableRef(*(exact or rows)[0]) if rows else None

    def columns(self, ref: TableRef) -> dict[str, SourceColumn]:
        """Columns by lower-case name (the contract matches names ignoring letter case)."""
        return {str(name).lower(): SourceColumn(str(name), str(dtype).lower())
                for name, dtype in self.query(self.dialect.columns(ref))}

    def has_rows(self, ref: TableRef) -> bool:
        return bool(self.query(self.dialect.has_rows(ref)))

    def readiness_says_ready(self) -> bool:
        rows = self.query(self.spec.readiness_query or "")
        return bool(rows and rows[0] and rows[0][0] not in (None, 0, False, "", "0", "N", "n", "false", "False"))


def open_reader(spec: SourceSpec) -> Reader:
    if spec.kind == "postgres":
        from .postgres import PostgresReader

        return PostgresReader(spec)
    if spec.kind == "sqlserver":
        from .sqlserver import SqlServerReader

        return SqlServerReader(spec)
    raise ValueError(f"unknown source kind {spec.kind!r}")


def spec_from_dsn(dsn: str, *, schema: str = "ssd_development", tables: Mapping[str, str] | None = None,
                  readiness_query: str | None = None) -> SourceSpec:
    """A source from a DSN alone (the CLI): `postgresql://…`, libpq `key=value`, `mssql://…`
    (or `sqlserver://…`), or an ODBC connection string (`Server=…;Database=…`)."""
    scheme = dsn.split("://", 1)[0].lower() if "://" in dsn else ""
    if scheme in ("postgresql", "postgres"):
        kind, conn, label = "postgres", dsn, _url_label(dsn)
    elif scheme in ("mssql", "sqlserver"):
        from .sqlserver import connection_string

        parts = urlsplit(dsn)
        options = dict(parse_qsl(parts.query))
        conn = connection_string(host=parts.hostname or "localhost", port=parts.port,
                                 database=unquote(parts.path.lstrip("/")) or None,
                                 user=unquote(parts.username) if parts.username else None,
                                 password=unquote(parts.password) if parts.password else None, options=options)
        kind, label = "sqlserver", _url_label(dsn)
    elif "server=" in dsn.lower().replace(" ", ""):
        from .sqlserver import label_of

        kind, conn, label = "sqlserver", dsn, label_of(dsn)
    elif "=" in dsn:
        from psycopg.conninfo import conninfo_to_dict

        info = conninfo_to_dict(dsn)
        kind, conn = "postgres", dsn
        label = f"postgresql://{info.get('host', 'localhost')}:{info.get('port', 5432)}/{info.get('dbname', '')}"
    else:
        raise ValueError("--source-dsn: expected postgresql://…, mssql://… or an ODBC string Server=…;Database=…")
    return SourceSpec(kind=kind, dsn=conn, label=label, schema=schema, tables=dict(tables or {}),
                      readiness_query=readiness_query)


def _url_label(dsn: str) -> str:
    """scheme://host:port/database: the DSN without user, password or options."""
    parts = urlsplit(dsn)
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{parts.hostname or 'localhost'}{port}{parts.path}"
