"""The values of a quarantined drop's code column that are neither codes of its set, nor their
descriptions, nor labels of the council's mapping file: what a quality lead needs to extend the
mapping. They may be anything, names included (a file whose headers were swapped), so they are
never stored, logged or sent: `csc validation values` prints them on its user's terminal only."""

from __future__ import annotations

import psycopg
from psycopg import sql

from csc_pipeline.contract import TABLES_BY_NAME
from csc_pipeline.deployment import ValidationConfig
from csc_pipeline.load import audit
from csc_pipeline.load.quarantine import quarantined_table_name, quarantined_tables

from .check_results import DropContext
from .checks import checks_for
from .mapping import council_labels
from .sql_template import TableQuery

CODE_RULES = ("code_valid", "code_local")


class ValuesUnavailable(ValueError):
    """Why the values cannot be read (one line, nothing personal)."""


def unmapped_values(conn: psycopg.Connection, load_id: int, table: str, column: str,
                    limit: int = 100) -> list[tuple[str, int]]:
    """(value as written, rows) for the column's values its code check rejects, most frequent first."""
    record = audit.load_record(conn, load_id)
    if record is None:
        raise ValuesUnavailable(f"no load {load_id}")
    if record.status != audit.LoadStatus.QUARANTINED:
        raise ValuesUnavailable(f"load {load_id} is {record.status}: values are read from quarantined drops only")
    if table not in TABLES_BY_NAME:
        raise ValuesUnavailable(f"{table} is not a table of the contract")
    checks = [c for c in checks_for(TABLES_BY_NAME[table]) if c.column == column and c.rule in CODE_RULES]
    if not checks:
        raise ValuesUnavailable(f"{table}.{column} is not a coded column of the contract (values are shown for "
                                "coded columns only)")
    if table not in quarantined_tables(conn, load_id):
        raise ValuesUnavailable(f"load {load_id} kept no {table} (its file was missing or could not be read)")
    kept = quarantined_table_name(load_id, table)
    columns = [r[0] for r in conn.execute(
        "select column_name from information_schema.columns where table_schema = 'quarantine' and table_name = %s",
        (kept,))]
    if column not in columns:
        raise ValuesUnavailable(f"the quarantined {table} has no column {column} (its file lacked it)")
    ctx = DropContext(schema="quarantine", la_code=record.la_code, extract_date=record.extract_date,
                      columns={table: columns}, council_labels=council_labels(conn, record.la_code),
                      previous_rows={}, config=ValidationConfig())
    where = TableQuery(ctx, None, table).fill(checks[0].where)
    query = sql.SQL("select btrim(t.{}), count(*) from {} as t where {} group by 1 order by 2 desc, 1 limit {}").format(
        sql.Identifier(column), sql.Identifier("quarantine", kept), sql.SQL(where), sql.Literal(limit))
    return [(value, int(n)) for value, n in conn.execute(query)]
