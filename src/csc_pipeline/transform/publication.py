"""Write-audit-publish for the marts: dbt builds into a schema BI cannot see, and only when every
model, data test and contract has passed does one short transaction switch it in as `marts`.

    marts_build  the night's build (dbt's `+schema: marts` resolves here during the build), never
                 granted to BI: the build buffer. After a switch it is the marts published the
                 night before, which dbt brings up to date for the councils whose data moved since
                 (transform/build_plan.py); made afresh when it holds no complete build
    marts        what BI tools, reports and exports read: always one publication, whole

The switch (`switch_in`) takes every published table at once (only when no BI statement or
transaction is reading any of them), renames `marts` to `marts_previous`, `marts_build` to
`marts` and `marts_previous` to `marts_build` (its readers' rights revoked), grants the BI role and
records the publication (audit.publications and the figures that changed), all in one
transaction. A reader that has read yesterday's marts keeps them to the end of its transaction;
every transaction after the switch reads tonight's; none sees a mix. While readers hold on, the
switch tries again every half second, for ten minutes, then fails leaving `marts` as it was (the
next run switches it in).

A crash anywhere before the commit leaves `marts` exactly as last published. Whether the marts are
behind the loaded data is known from the audit (`marts_behind_raw`): a publication records the last
good load it includes, so the next run rebuilds and publishes even when no new drop is pending.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

import psycopg
from psycopg import sql

from csc_pipeline.warehouse.roles import READER_ROLES, grant_readers

log = logging.getLogger(__name__)

PUBLISHED_SCHEMA = "marts"
BUILD_SCHEMA = "marts_build"
PREVIOUS_SCHEMA = "marts_previous"
BI_ROLE = "csc_bi"
# How long the switch keeps trying while BI queries read yesterday's marts, and how often.
SWITCH_WAIT_SECONDS = 600.0
SWITCH_RETRY_SECONDS = 0.5


class SwitchRefused(RuntimeError):
    """The build cannot be switched in (missing, empty, or BI queries held the old marts too long)."""


@dataclass(frozen=True)
class Publication:
    publication_id: int
    through_load_id: int | None  # the last good load whose data these marts include
    rows: int  # rows of marts.performance_measures


def prepare_build(conn: psycopg.Connection, *, fresh: bool = True) -> None:
    """The build schema for tonight: made afresh (an empty schema; a crashed night's leftovers are
    dropped) or, `fresh=False`, the kept buffer as it is; either way no reader can use it."""
    with conn.transaction():
        if fresh:
            conn.execute(sql.SQL("drop schema if exists {} cascade").format(sql.Identifier(BUILD_SCHEMA)))
        conn.execute(sql.SQL("create schema if not exists {}").format(sql.Identifier(BUILD_SCHEMA)))
        _revoke_readers(conn, BUILD_SCHEMA)


def _revoke_readers(conn: psycopg.Connection, schema: str) -> None:
    """Not readable by BI while it is being built (no usage on the schema until it is switched in)."""
    ids = sql.Identifier(schema)
    conn.execute(sql.SQL("revoke all on schema {} from public").format(ids))
    for role in READER_ROLES:
        conn.execute(sql.SQL("revoke all on schema {} from {}").format(ids, sql.Identifier(role)))
        conn.execute(sql.SQL("alter default privileges in schema {} revoke select on tables from {}").format(
            ids, sql.Identifier(role)))


def last_good_load(conn: psycopg.Connection) -> int | None:
    """The newest good load (published or accepted): what a build started now includes."""
    from csc_pipeline.load.audit import GOOD

    return conn.execute("select max(load_id) from audit.loads where status = any(%s)",
                        ([str(s) for s in GOOD],)).fetchone()[0]


def marts_behind_raw(conn: psycopg.Connection) -> bool:
    """Whether some good load is not yet in the published marts (a build failed or was interrupted)."""
    newest = last_good_load(conn)
    if newest is None:
        return False
    published = conn.execute(
        "select max(through_load_id) from audit.publications where through_load_id is not null").fetchone()[0]
    return published is None or published < newest


def switch_in(conn: psycopg.Connection, *, through_load_id: int | None,
              wait_seconds: float = SWITCH_WAIT_SECONDS) -> Publication:
    """Make tonight's build the published marts and record the publication, in one transaction.

    The transaction first takes every table of the published marts, all at once and without
    waiting (NOWAIT): while a BI statement or transaction still reads one, the attempt is given up
    and made again shortly, for up to `wait_seconds`. Holding no lock while it waits, the switch can
    never deadlock with a reader nor keep one waiting; once it has them all, nobody reads yesterday's
    marts, and the renames, grants, record and drop take a moment."""
    deadline = time.monotonic() + wait_seconds
    while True:
        try:
            return _switch_once(conn, through_load_id)
        except psycopg.errors.LockNotAvailable:
            if time.monotonic() > deadline:
                raise SwitchRefused(
                    f"BI queries kept reading the published marts for {wait_seconds:.0f} s; the marts are "
                    "unchanged and the switch is retried") from None
            time.sleep(SWITCH_RETRY_SECONDS)


def _switch_once(conn: psycopg.Connection, through_load_id: int | None) -> Publication:
    from .publication_history import PublicationError, record_publication

    build, published, previous = (sql.Identifier(s) for s in (BUILD_SCHEMA, PUBLISHED_SCHEMA, PREVIOUS_SCHEMA))
    with conn.transaction():
        # One switch at a time, whatever runs in parallel.
        conn.execute("select pg_advisory_xact_lock(hashtext('csc_marts_switch'))")
        if conn.execute("select to_regclass(%s)", (f"{BUILD_SCHEMA}.performance_measures",)).fetchone()[0] is None:
            raise SwitchRefused(f"{BUILD_SCHEMA}.performance_measures does not exist: the build did not finish")
        old = [sql.Identifier(PUBLISHED_SCHEMA, name) for (name,) in conn.execute(
            "select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace"
            " where n.nspname = %s and c.relkind in ('r', 'p', 'v', 'm') order by c.relname", (PUBLISHED_SCHEMA,))]
        if old:
            conn.execute(sql.SQL("lock table {} in access exclusive mode nowait").format(sql.SQL(", ").join(old)))
        conn.execute(sql.SQL("drop schema if exists {} cascade").format(previous))
        conn.execute(sql.SQL("alter schema {} rename to {}").format(published, previous))
        conn.execute(sql.SQL("alter schema {} rename to {}").format(build, published))
        _grant_bi(conn)
        try:
            publication_id, rows = record_publication(conn, through_load_id=through_load_id)
        except PublicationError as exc:
            raise SwitchRefused(str(exc)) from None
        # Yesterday's marts are the next build's buffer (brought up to date, not rebuilt).
        conn.execute(sql.SQL("alter schema {} rename to {}").format(previous, build))
        _revoke_readers(conn, BUILD_SCHEMA)
    log.info("switched in the marts: publication %s, %d rows of performance_measures", publication_id, rows)
    return Publication(publication_id, through_load_id, rows)


def _grant_bi(conn: psycopg.Connection) -> None:
    """The BI roles read the published marts (and only them), a council's role only its own rows."""
    grant_readers(conn, PUBLISHED_SCHEMA)


def marts_summary(conn: psycopg.Connection, publication_id: int | None) -> dict[str, dict]:
    """Per council, what the published marts serve: {la_code: {source_extract_date, rows, publication_id}}."""
    rows = conn.execute(
        f"select la_code, max(source_extract_date)::text, count(*) from {PUBLISHED_SCHEMA}.performance_measures"
        " group by la_code order by la_code").fetchall()
    return {la: {"source_extract_date": d, "rows": n, "publication_id": publication_id} for la, d, n in rows}
