"""Publication history: which published figures changed, when, and from which extract.

Each night's switch of the marts records a publication (transform/publication_history.py): the
figures of `marts.performance_measures` that differ from the previous publication, and, once,
those withdrawn. The figures as published at any publication can be rebuilt from it
(sql/060_publication_history.sql).

`changes` lists the revisions of one council's published values since a
publication or a date: what a reader of last month's report would see differ;
`latest_revisions` the council's most recent ones, whatever nights came after.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import psycopg

from csc_pipeline.contract.measures import MEASURES, MEASURES_BY_ID, PERIOD_TYPES
from .figures import connected
from .tables import value_sort_key

_KEY = "la_code, period_type, period_label, measure_id, breakdown, breakdown_value"


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


def previous_publication(conn: psycopg.Connection | str) -> int | None:
    """The publication before the latest (0 when there has been only one); None before any."""
    with connected(conn) as c:
        ids = [i for (i,) in c.execute(
            "select publication_id from audit.publications order by publication_id desc limit 2")]
    if not ids:
        return None
    return ids[1] if len(ids) > 1 else 0


def latest_revisions(conn: psycopg.Connection | str, la_code: str) -> tuple[datetime | None, list[Revision]]:
    """The council's most recent revisions, whatever came after them: those of the latest
    publication that changed its published figures (not its first), and when that was. A night
    that changed nothing for the council (its drop quarantined, another council's published)
    does not hide them. (None, []) when its figures were never revised."""
    with connected(conn) as c:
        first = c.execute("select min(publication_id) from audit.published_figures where la_code = %s",
                          (la_code,)).fetchone()[0]
        if first is None:
            return None, []
        later = changes(c, la_code, since=first)
    if not later:
        return None, []
    latest = max(r.publication_id for r in later)
    revisions = [r for r in later if r.publication_id == latest]
    return revisions[0].published_at, revisions


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
