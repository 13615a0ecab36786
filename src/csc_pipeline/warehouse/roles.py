"""The roles BI tools log in with, and the row-level security that fences a council's role.

csc_bi (the hub) reads every council's rows of the published marts; a council's role
csc_bi_<la_code> (member of csc_bi_council, sql/030_roles.sql) reads only rows whose la_code is
its own. The policies belong to the tables, and the nightly switch brings in new tables, so the
switch calls `protect_council_rows` in its own transaction: readers never see the new marts
without their policies.
"""

from __future__ import annotations

import psycopg
from psycopg import sql

from csc_pipeline.contract.delivery import LA_CODE_PATTERN

HUB_ROLE = "csc_bi"
COUNCIL_GROUP = "csc_bi_council"
COUNCIL_ROLE_PREFIX = "csc_bi_"
READER_ROLES = (HUB_ROLE, COUNCIL_GROUP)
MIN_PASSWORD = 12


def council_role(la_code: str) -> str:
    if not LA_CODE_PATTERN.match(la_code):
        raise ValueError(f"--la-code: {la_code!r} is not a council code like E06000028")
    return COUNCIL_ROLE_PREFIX + la_code.lower()


def create_council_role(conn: psycopg.Connection, la_code: str, password: str) -> str:
    """Create (or re-password) the council's login role; it reads only its own rows of the marts."""
    if len(password) < MIN_PASSWORD:
        raise ValueError(f"the BI password must be at least {MIN_PASSWORD} characters")
    role = council_role(la_code)
    exists = conn.execute("select 1 from pg_roles where rolname = %s", (role,)).fetchone()
    verb = "alter" if exists else "create"
    conn.execute(sql.SQL(verb + " role {} login password {}").format(sql.Identifier(role), sql.Literal(password)))
    protect_council_rows(conn, "marts")  # before the role can read anything
    conn.execute(sql.SQL("grant {} to {}").format(sql.Identifier(COUNCIL_GROUP), sql.Identifier(role)))
    return role


def grant_readers(conn: psycopg.Connection, schema: str) -> None:
    """The reader roles read the schema's tables (and tables dbt adds to it later)."""
    for role in READER_ROLES:
        ids = {"schema": sql.Identifier(schema), "role": sql.Identifier(role)}
        conn.execute(sql.SQL("grant usage on schema {schema} to {role}").format(**ids))
        conn.execute(sql.SQL("grant select on all tables in schema {schema} to {role}").format(**ids))
        conn.execute(sql.SQL("alter default privileges in schema {schema} grant select on tables to {role}").format(**ids))
    protect_council_rows(conn, schema)


def protect_council_rows(conn: psycopg.Connection, schema: str) -> list[str]:
    """Row-level security on every table of `schema` with an la_code column: the hub reads all
    rows, a council's role its own. Views read with the reader's rights (security_invoker), so
    they cannot bypass it. Returns the tables protected."""
    tables = [r[0] for r in conn.execute(
        "select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace"
        " join pg_attribute a on a.attrelid = c.oid and a.attname = 'la_code' and not a.attisdropped"
        " where n.nspname = %s and c.relkind in ('r', 'p') order by 1", (schema,))]
    own_code = sql.SQL("la_code = upper(substr(current_user, {}))").format(sql.Literal(len(COUNCIL_ROLE_PREFIX) + 1))
    for table in tables:
        target = sql.Identifier(schema, table)
        conn.execute(sql.SQL("alter table {} enable row level security").format(target))
        for policy, role, using in (("hub_reads_all", HUB_ROLE, sql.SQL("true")),
                                    ("council_reads_own", COUNCIL_GROUP, own_code)):
            conn.execute(sql.SQL("drop policy if exists {} on {}").format(sql.Identifier(policy), target))
            conn.execute(sql.SQL("create policy {} on {} for select to {} using ({})").format(
                sql.Identifier(policy), target, sql.Identifier(role), using))
    for (view,) in conn.execute(
            "select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace"
            " where n.nspname = %s and c.relkind = 'v'", (schema,)).fetchall():
        conn.execute(sql.SQL("alter view {} set (security_invoker = true)").format(sql.Identifier(schema, view)))
    return tables
