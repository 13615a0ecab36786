"""PostgreSQL sources (e.g. the SSD on Eclipse): psycopg 3, one REPEATABLE READ READ ONLY
transaction for every table, rows streamed through a server-side cursor.

The SSD scripts drop and recreate their tables. The snapshot transaction first takes an
ACCESS SHARE lock on every table it will read (before its first query, so before the
snapshot is taken): a refresh that starts meanwhile waits for the extract to finish, and one
already running makes the lock wait (up to `LOCK_TIMEOUT`) and then counts as "not ready".
"""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Iterator, Sequence

import psycopg
from psycopg import IsolationLevel

from .errors import ExtractError, NotReady, SourceUnreachable
from .sources import BATCH_ROWS, Dialect, Reader, SourceColumn, TableRef

CONNECT_TIMEOUT_SECONDS = 30
LOCK_TIMEOUT = "60s"

_TEXT = ("text", "character varying", "character", "varchar", "char", "bpchar", "name", "citext")
_TYPES = {
    **{t: "text" for t in _TEXT},
    "date": "date",
    "timestamp without time zone": "datetime", "timestamp with time zone": "datetime",
    "smallint": "number", "integer": "number", "bigint": "number", "numeric": "number",
    "real": "number", "double precision": "number",
    "boolean": "bool",
    "uuid": "uuid",
}
_counter = itertools.count()


class PostgresDialect(Dialect):
    TYPES = _TYPES

    def quote(self, identifier: str) -> str:
        return '"' + identifier.replace('"', '""') + '"'

    def has_rows(self, ref: TableRef) -> str:
        return f"select 1 from {self.qualified(ref)} limit 1"

    def order_key(self, column: SourceColumn) -> str:
        # "C": byte order of the UTF-8 text, the same whatever the database's collation.
        quoted = self.quote(column.name)
        return f'{quoted} collate "C"' if self.category(column.data_type) == "text" else quoted

    def lock(self, tables: Sequence[TableRef]) -> str:
        return f"lock table {', '.join(self.qualified(t) for t in tables)} in access share mode"


class PostgresReader(Reader):
    dialect = PostgresDialect()

    def connect(self) -> None:
        try:
            self.conn = psycopg.connect(self.spec.dsn, connect_timeout=CONNECT_TIMEOUT_SECONDS,
                                        application_name="csc-extract")
        except psycopg.Error as exc:
            raise SourceUnreachable(f"{self.spec.label}: cannot connect ({connect_reason(exc)})") from None

    def close(self) -> None:
        conn = getattr(self, "conn", None)
        if conn is not None:
            conn.close()

    def query(self, sql: str) -> list[tuple]:
        try:
            with self.conn.cursor() as cur:
                cur.execute(sql)
                return cur.fetchall() if cur.description else []
        except psycopg.Error as exc:
            raise self._error("a catalog or readiness query failed", exc) from None
        finally:
            if not self._in_snapshot and not self.conn.closed:
                with contextlib.suppress(psycopg.Error):  # a broken connection: reported above
                    self.conn.rollback()

    _in_snapshot = False

    def begin_snapshot(self, tables: Sequence[TableRef]) -> None:
        self.conn.rollback()
        self.conn.isolation_level = IsolationLevel.REPEATABLE_READ
        self.conn.read_only = True
        self._in_snapshot = True
        try:
            with self.conn.cursor() as cur:
                cur.execute(f"set local lock_timeout = '{LOCK_TIMEOUT}'")
                if tables:
                    cur.execute(self.dialect.lock(tables))
        except psycopg.errors.UndefinedTable:
            self.end_snapshot()
            raise NotReady(f"{self.spec.label}: not ready: a table was dropped as the extract began") from None
        except psycopg.errors.LockNotAvailable:
            self.end_snapshot()
            raise NotReady(f"{self.spec.label}: not ready: a table is being rebuilt (lock wait over "
                           f"{LOCK_TIMEOUT})") from None
        except psycopg.Error as exc:
            self.end_snapshot()
            raise self._error("starting the snapshot failed", exc) from None

    def end_snapshot(self) -> None:
        self._in_snapshot = False
        if not self.conn.closed:
            with contextlib.suppress(psycopg.Error):  # read only: nothing to keep
                self.conn.rollback()

    def stream(self, sql: str) -> Iterator[Sequence[tuple]]:
        # A named (server-side) cursor: the server keeps the result, we hold one batch at a time.
        try:
            with self.conn.cursor(name=f"csc_extract_{next(_counter)}") as cur:
                cur.itersize = BATCH_ROWS
                cur.execute(sql)
                while batch := cur.fetchmany(BATCH_ROWS):
                    yield batch
        except (psycopg.errors.UndefinedTable, psycopg.errors.UndefinedColumn):
            raise NotReady(f"{self.spec.label}: not ready: a table changed as the extract began") from None
        except psycopg.Error as exc:
            raise self._error("reading failed", exc) from None

    def _error(self, what: str, exc: psycopg.Error) -> ExtractError:
        # The server's message can quote a value: only its class and SQLSTATE are repeated.
        if isinstance(exc, psycopg.OperationalError) and self.conn.closed:
            return SourceUnreachable(f"{self.spec.label}: connection lost ({type(exc).__name__})")
        code = f", SQLSTATE {exc.sqlstate}" if getattr(exc, "sqlstate", None) else ""
        return ExtractError(f"{self.spec.label}: {what} ({type(exc).__name__}{code})")


# Connection failures worth naming; anything else is reported by its class only.
_CONNECT_REASONS = (
    ("connection refused", "connection refused"),
    ("timeout expired", "timed out"),
    ("could not translate host name", "unknown host"),
    ("name or service not known", "unknown host"),
    ("password authentication failed", "login refused"),
    ("no password supplied", "login refused: no password"),
    ("no pg_hba.conf entry", "login refused by pg_hba.conf"),
    ("does not exist", "database or role does not exist"),
    ("ssl", "SSL negotiation failed"),
)


def connect_reason(exc: Exception) -> str:
    text = str(exc).lower()
    for needle, reason in _CONNECT_REASONS:
        if needle in text:
            return reason
    return type(exc).__name__
