"""Publication history: which published figures changed, when, and from which extract.

The nightly run calls `record_publication` after each dbt build. It records a
publication and copies into `audit.published_figures` only the figures of
`marts.performance_measures` that differ (published_value or value) from the
previous publication: new figures, revised ones, and, once, figures no longer
published (`withdrawn`). The history stays small, and the figures as published
at any publication can still be rebuilt (sql/060_publication_history.sql).

`changes` lists the revisions of one council's published values since a
publication or a date: what a reader of last month's report would see differ.
"""

from __future__ import annotations

import logging

from dataclasses import dataclass
from datetime import date, datetime

import psycopg

from csc_pipeline.contract.measures import MEASURES, MEASURES_BY_ID, PERIOD_TYPES
from .figures import MART, connected, require_mart
from .tables import value_sort_key

_KEY = "la_code, period_type, period_label, measure_id, breakdown, breakdown_value"
_COLUMNS = f"publication_id, {_KEY}, published_value, value, source_extract_date, withdrawn"

_RECORD = f"""
with latest as (
    -- each figure's state as of the previous publication
    select distinct on ({_KEY}) {_COLUMNS}
    from audit.published_figures
    order by {_KEY}, publication_id desc
),
extracts as (
    select la_code, max(source_extract_date) as source_extract_date from {MART} group by la_code
),
new_or_revised as (
    select %(publication_id)s, m.la_code, m.period_type, m.period_label, m.measure_id, m.breakdown,
           m.breakdown_value, m.published_value, m.value, m.source_extract_date, false
    from {MART} as m
    left join latest as l using ({_KEY})
    where l.publication_id is null
       or l.withdrawn
       or l.published_value is distinct from m.published_value
       or l.value is distinct from m.value
),
withdrawn as (
    select %(publication_id)s, l.la_code, l.period_type, l.period_label, l.measure_id, l.breakdown,
           l.breakdown_value, null::text, null::numeric, extracts.source_extract_date, true
    from latest as l
    left join extracts using (la_code)
    where not l.withdrawn
      and not exists (select from {MART} as m
                      where (m.la_code, m.period_type, m.period_label, m.measure_id, m.breakdown, m.breakdown_value)
                          = (l.la_code, l.period_type, l.period_label, l.measure_id, l.breakdown, l.breakdown_value))
)
insert into audit.published_figures ({_COLUMNS})
select * from new_or_revised
union all
select * from withdrawn
"""

log = logging.getLogger(__name__)


class PublicationError(RuntimeError):
    pass


@dataclass(frozen=True)
class Revision:
    """One change to a published figure."""

    publication_id: int
    published_at: datetime
    period_type: str
    period_label: str
    measure_id: str
    breakdown: str
    breakdown_value: str
    old_published_value: str | None  # None: first published by this publication
    new_published_value: str | None  # None: no longer published (withdrawn)
    source_extract_date: date | None  # the extract the new figure comes from

    @property
    def kind(self) -> str:
        if self.old_published_value is None:
            return "new"
        return "withdrawn" if self.new_published_value is None else "revised"


def record_publication(conn: psycopg.Connection | str) -> int:
    """Record the current published figures as a publication; returns its publication_id.

    Only figures that differ from the previous publication are copied.
    """
    with connected(conn) as c, c.transaction():
        # One recorder at a time, whatever runs in parallel.
        c.execute("select pg_advisory_xact_lock(hashtext('csc_publication_history'))")
        require_mart(c)
        if c.execute(f"select not exists (select from {MART})").fetchone()[0] and c.execute(
                "select exists (select from audit.published_figures where not withdrawn)").fetchone()[0]:
            raise PublicationError(
                f"{MART} is empty: not recording a publication that would withdraw every published figure. "
                "Check the night's dbt build."
            )
        publication_id = c.execute(
            "insert into audit.publications default values returning publication_id").fetchone()[0]
        recorded = c.execute(_RECORD, {"publication_id": publication_id}).rowcount
        c.execute("update audit.publications set rows_recorded = %s where publication_id = %s",
                  (recorded, publication_id))
    return publication_id


def publish_figures(conn: psycopg.Connection) -> dict[str, dict]:
    """Record tonight's figures as a publication (when there are any) and say, per council, what
    the marts now serve: {la_code: {source_extract_date, rows, publication_id}}."""
    try:
        publication_id = record_publication(conn)
        conn.commit()
    except PublicationError as exc:  # nothing published yet (every drop so far quarantined)
        conn.rollback()
        log.warning("no publication recorded: %s", exc)
        publication_id = None
    rows = conn.execute(
        f"select la_code, max(source_extract_date)::text, count(*) from {MART} group by la_code order by la_code"
    ).fetchall()
    return {la: {"source_extract_date": d, "rows": n, "publication_id": publication_id} for la, d, n in rows}


def previous_publication(conn: psycopg.Connection | str) -> int | None:
    """The publication before the latest (0 when there has been only one); None before any."""
    with connected(conn) as c:
        ids = [i for (i,) in c.execute(
            "select publication_id from audit.publications order by publication_id desc limit 2")]
    if not ids:
        return None
    return ids[1] if len(ids) > 1 else 0


def changes(conn: psycopg.Connection | str, la_code: str,
            since: int | date | datetime | None = None) -> list[Revision]:
    """Revisions of the council's published values made after `since`.

    `since` is a publication id (publications after it), a date or datetime (publications at
    or after it), or None: the changes the latest publication made. Changes of `value` alone
    (a suppressed count moving within 1–5) are recorded but are not revisions of what was published.
    """
    with connected(conn) as c:
        if since is None:
            since = previous_publication(c)
            if since is None:
                return []
        if isinstance(since, bool) or not isinstance(since, (int, date)):
            raise TypeError(f"since must be a publication id, a date or a datetime, not {since!r}")
        condition = "f.publication_id > %(since)s" if isinstance(since, int) else "p.published_at >= %(since)s"
        rows = c.execute(
            f"""
            select f.publication_id, p.published_at, f.period_type, f.period_label, f.measure_id,
                   f.breakdown, f.breakdown_value,
                   case when not prev.withdrawn then prev.published_value end,
                   case when not f.withdrawn then f.published_value end,
                   f.source_extract_date
            from audit.published_figures as f
            join audit.publications as p using (publication_id)
            left join lateral (
                select o.published_value, o.withdrawn
                from audit.published_figures as o
                where (o.la_code, o.period_type, o.period_label, o.measure_id, o.breakdown, o.breakdown_value)
                    = (f.la_code, f.period_type, f.period_label, f.measure_id, f.breakdown, f.breakdown_value)
                  and o.publication_id < f.publication_id
                order by o.publication_id desc
                limit 1
            ) as prev on true
            where f.la_code = %(la_code)s and {condition}
              and (prev.withdrawn is null or prev.withdrawn or f.withdrawn
                   or prev.published_value is distinct from f.published_value)
            """,
            {"la_code": la_code, "since": since},
        ).fetchall()
    return sorted((Revision(*row) for row in rows), key=_revision_order)


_MEASURE_ORDER = {m.measure_id: i for i, m in enumerate(MEASURES)}


def _revision_order(r: Revision) -> tuple:
    measure = MEASURES_BY_ID.get(r.measure_id)
    breakdowns = measure.breakdowns if measure else ()
    return (
        r.publication_id,
        PERIOD_TYPES.index(r.period_type) if r.period_type in PERIOD_TYPES else len(PERIOD_TYPES),
        r.period_label,
        _MEASURE_ORDER.get(r.measure_id, len(_MEASURE_ORDER)), r.measure_id,
        breakdowns.index(r.breakdown) if r.breakdown in breakdowns else len(breakdowns), r.breakdown,
        value_sort_key(r.breakdown, r.breakdown_value),
    )
