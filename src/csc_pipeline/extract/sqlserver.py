"""SQL Server sources (the SSD on Liquidlogic, Mosaic, SystemC), through mssql-python
(Microsoft's driver, which ships its ODBC driver; on Debian it needs libltdl7).

Consistency: where the database allows snapshot isolation (ALLOW_SNAPSHOT_ISOLATION ON), every
table is read in one SNAPSHOT transaction; a table the SSD refresh drops and recreates meanwhile
makes SQL Server abort the read (error 3961), which counts as "not ready" and is retried. Where it
does not, the transaction is SERIALIZABLE and first takes a shared lock on every table
(`WITH (TABLOCK, HOLDLOCK)`): other readers go on, the SSD refresh waits until the extract ends.

No SQL Server runs on the project's machines: this module's SQL, type mapping and connection
strings are unit-tested (tests/test_extract_sqlserver.py) and a connection attempt is made
against a closed port with the real driver; reading from a real server is untested.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence

from .errors import ExtractError, NotReady, SourceUnreachable
from .sources import BATCH_ROWS, Dialect, Reader, SourceColumn, TableRef

LOGIN_TIMEOUT_SECONDS = 30  # the driver retries an unreachable server until then
LOCK_TIMEOUT_MS = 60_000

_TEXT = ("nvarchar", "varchar", "nchar", "char", "ntext", "text", "sysname")
# SQL Server type -> what mssql-python returns for it, as values.py writes it.
TYPES: Mapping[str, str] = {
    **{t: "text" for t in _TEXT},
    "date": "date",                       # datetime.date
    "datetime": "datetime", "datetime2": "datetime", "smalldatetime": "datetime",  # datetime.datetime
    "datetimeoffset": "datetime",         # datetime.datetime with its offset; the local date is kept
    "tinyint": "number", "smallint": "number", "int": "number", "bigint": "number",  # int
    "decimal": "number", "numeric": "number", "money": "number", "smallmoney": "number",  # Decimal
    "float": "number", "real": "number",  # float (FLOAT is what the SSD uses for distances and FTE)
    "bit": "bool",                        # bool -> Y/N
    "uniqueidentifier": "uuid",           # uuid.UUID -> upper case, as SQL Server shows it
}

# Error 3961: the snapshot saw a table changed by DDL (the SSD's drop-and-create) since it began;
# 207/208: a column or table gone between the catalog lookup and the read.
_CHANGED_WHILE_READ = ("3961", "snapshot isolation transaction failed", "invalid object name",
                       "invalid column name")


class SqlServerDialect(Dialect):
    TYPES = TYPES

    def quote(self, identifier: str) -> str:
        return "[" + identifier.replace("]", "]]") + "]"

    def literal(self, value: str) -> str:
        return "N'" + value.replace("'", "''") + "'"

    # INFORMATION_SCHEMA in capitals: a case-sensitive database resolves names as written.
    def find_table(self, ref: TableRef) -> str:
        return ("SELECT TABLE_SCHEMA, TABLE_NAME FROM INFORMATION_SCHEMA.TABLES"
                f" WHERE LOWER(TABLE_SCHEMA) = LOWER({self.literal(ref.schema)})"
                f" AND LOWER(TABLE_NAME) = LOWER({self.literal(ref.name)})")

    def columns(self, ref: TableRef) -> str:
        return ("SELECT COLUMN_NAME, DATA_TYPE FROM INFORMATION_SCHEMA.COLUMNS"
                f" WHERE TABLE_SCHEMA = {self.literal(ref.schema)} AND TABLE_NAME = {self.literal(ref.name)}"
                " ORDER BY ORDINAL_POSITION")

    def has_rows(self, ref: TableRef) -> str:
        return f"SELECT TOP 1 1 FROM {self.qualified(ref)}"

    def order_key(self, column: SourceColumn) -> str:
        # A binary collation: code-point order whatever the database's (case-insensitive) collation.
        quoted = self.quote(column.name)
        return f"{quoted} COLLATE Latin1_General_BIN2" if self.category(column.data_type) == "text" else quoted

    def snapshot_allowed(self) -> str:
        return "SELECT snapshot_isolation_state FROM sys.databases WHERE name = DB_NAME()"

    def begin_snapshot(self, allowed: bool, tables: Sequence[TableRef]) -> list[str]:
        if allowed:
            return ["SET TRANSACTION ISOLATION LEVEL SNAPSHOT", "BEGIN TRANSACTION"]
        return [f"SET LOCK_TIMEOUT {LOCK_TIMEOUT_MS}", "SET TRANSACTION ISOLATION LEVEL SERIALIZABLE",
                "BEGIN TRANSACTION",
                *(f"SELECT TOP 0 1 FROM {self.qualified(t)} WITH (TABLOCK, HOLDLOCK)" for t in tables)]

    def end_snapshot(self) -> list[str]:
        return ["IF @@TRANCOUNT > 0 ROLLBACK TRANSACTION", "SET TRANSACTION ISOLATION LEVEL READ COMMITTED"]


def connection_string(*, host: str, port: int | None = None, database: str | None = None, user: str | None = None,
                      password: str | None = None, options: Mapping[str, str] | None = None) -> str:
    """An ODBC connection string for mssql-python. `options` are passed through (Encrypt,
    TrustServerCertificate, Authentication, ApplicationIntent...); mssql-python refuses unknown ones."""
    parts = {"Server": f"tcp:{host},{port}" if port else f"tcp:{host}"}
    if database:
        parts["Database"] = database
    if user:
        parts["UID"] = user
    if password:
        parts["PWD"] = password
    for key, value in (options or {}).items():
        parts[key] = str(value)
    parts.setdefault("Encrypt", "yes")
    return ";".join(f"{k}={_odbc_value(v)}" for k, v in parts.items())


def _odbc_value(value: str) -> str:
    # Braces protect ; { } and surrounding spaces; a closing brace inside is doubled.
    if any(c in value for c in ";{}") or value != value.strip():
        return "{" + value.replace("}", "}}") + "}"
    return value


def label_of(conn_str: str) -> str:
    """mssql://server/database: the connection string without credentials, for messages."""
    fields = {}
    for part in conn_str.split(";"):
        if "=" in part:
            key, value = part.split("=", 1)
            fields[key.strip().lower()] = value.strip().strip("{}")
    server = fields.get("server") or fields.get("address") or fields.get("addr") or "?"
    return f"mssql://{server.removeprefix('tcp:')}/{fields.get('database', '')}"


class SqlServerReader(Reader):
    dialect = SqlServerDialect()

    def connect(self) -> None:
        import mssql_python

        try:
            self.conn = mssql_python.connect(self.spec.dsn, autocommit=True, timeout=LOGIN_TIMEOUT_SECONDS)
        except mssql_python.ConnectionStringParseError:
            raise SourceUnreachable(f"{self.spec.label}: the connection string is not valid "
                                    "(see docs/extract.md for the keywords mssql-python accepts)") from None
        except mssql_python.Error as exc:
            raise SourceUnreachable(f"{self.spec.label}: cannot connect ({connect_reason(exc)})") from None

    def close(self) -> None:
        conn = getattr(self, "conn", None)
        if conn is not None:
            try:
                conn.close()
            except Exception:  # closing a broken connection: nothing more to do
                pass

    def _execute(self, statements: Sequence[str]) -> None:
        cur = self.conn.cursor()
        try:
            for statement in statements:
                cur.execute(statement)
        finally:
            cur.close()

    def query(self, sql: str) -> list[tuple]:
        import mssql_python

        cur = self.conn.cursor()
        try:
            cur.execute(sql)
            return [tuple(r) for r in cur.fetchall()] if cur.description else []
        except mssql_python.Error as exc:
            raise self._error("a catalog or readiness query failed", exc) from None
        finally:
            cur.close()

    def begin_snapshot(self, tables: Sequence[TableRef]) -> None:
        import mssql_python

        rows = self.query(self.dialect.snapshot_allowed())
        allowed = bool(rows and rows[0][0] == 1)
        if not allowed:
            import logging

            logging.getLogger(__name__).warning(
                "%s: snapshot isolation is off in this database; reading under shared table locks "
                "(the SSD refresh waits until the extract ends)", self.spec.label)
        try:
            self._execute(self.dialect.begin_snapshot(allowed, tables))
        except mssql_python.Error as exc:
            self.end_snapshot()
            if "1222" in str(exc) or "lock request time out" in str(exc).lower():
                raise NotReady(f"{self.spec.label}: not ready: a table is being rebuilt (lock wait over "
                               f"{LOCK_TIMEOUT_MS // 1000}s)") from None
            raise self._error("starting the snapshot failed", exc) from None

    def end_snapshot(self) -> None:
        try:
            self._execute(self.dialect.end_snapshot())
        except Exception:  # the connection is gone: the server rolls back
            pass

    def stream(self, sql: str) -> Iterator[Sequence[tuple]]:
        import mssql_python

        cur = self.conn.cursor()
        try:
            cur.arraysize = BATCH_ROWS
            cur.execute(sql)  # a forward-only, read-only result: rows arrive as they are fetched
            while batch := cur.fetchmany(BATCH_ROWS):
                yield batch
        except mssql_python.Error as exc:
            raise self._error("reading failed", exc) from None
        finally:
            cur.close()

    def _error(self, what: str, exc: Exception) -> ExtractError:
        # The server's message can quote a value: only its class (and a DDL conflict) is repeated.
        text = str(exc).lower()
        if any(marker in text for marker in _CHANGED_WHILE_READ):
            return NotReady(f"{self.spec.label}: not ready: a table was recreated or changed while it was read")
        return ExtractError(f"{self.spec.label}: {what} ({type(exc).__name__})")


_CONNECT_REASONS = (
    ("login failed", "login refused"),
    ("tcp provider", "server unreachable"),
    ("login timeout", "timed out"),
    ("timeout expired", "timed out"),
    ("cannot open database", "database does not exist or is not accessible"),
    ("ssl provider", "TLS negotiation failed (see Encrypt / TrustServerCertificate)"),
    ("certificate", "TLS certificate not trusted (see TrustServerCertificate)"),
    ("failed to load the driver", "the ODBC driver could not be loaded (on Debian: apt-get install libltdl7)"),
)


def connect_reason(exc: Exception) -> str:
    text = str(exc).lower()
    for needle, reason in _CONNECT_REASONS:
        if needle in text:
            return reason
    return type(exc).__name__
