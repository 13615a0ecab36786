"""A fingerprint of every table of a schema: one digest per table of its rows, order-free.

Used to prove that a refactoring, a failed night or a restore leaves the published marts exactly
as they were. `computed_at` is left out: it records when a row was built, not what it says.
"""

from __future__ import annotations

import hashlib

import psycopg
from psycopg import sql

IGNORED_COLUMNS = frozenset({"computed_at"})


def schema_fingerprint(conn: psycopg.Connection, schema: str = "marts") -> dict[str, str]:
    """{table: sha256 of its sorted rows (as text), with row count} for every table of `schema`."""
    tables = [
        r[0] for r in conn.execute(
            "select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace "
            "where n.nspname = %s and c.relkind in ('r', 'p', 'v', 'm') order by c.relname",
            (schema,),
        )
    ]
    result = {}
    for table in tables:
        columns = [
            r[0] for r in conn.execute(
                "select attname from pg_attribute where attrelid = %s::regclass and attnum > 0 "
                "and not attisdropped order by attname",
                (f"{schema}.{table}",),
            ) if r[0] not in IGNORED_COLUMNS
        ]
        row_text = sql.SQL("row({})::text").format(sql.SQL(", ").join(sql.Identifier(c) for c in columns))
        query = sql.SQL("select {} from {}.{} order by 1").format(row_text, sql.Identifier(schema), sql.Identifier(table))
        digest = hashlib.sha256()
        count = 0
        for (text,) in conn.execute(query):
            digest.update(text.encode() + b"\n")
            count += 1
        result[table] = f"{count}:{digest.hexdigest()}"
    return result
