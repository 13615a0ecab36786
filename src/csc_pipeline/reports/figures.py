"""Reading the published figures: `marts.performance_measures`, `published_value` only.

Everything the report and the quarterly pack show comes through here, and the
SQL never selects `value`, `numerator` or `denominator`: what leaves the council
is the suppressed `published_value` (measures.md §1).
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from typing import Iterator

import psycopg

from csc_pipeline.contract.measures import PeriodType

MART = "marts.performance_measures"


class ReportInputError(ValueError):
    """The council or the period asked for is not in the published figures."""


@dataclass(frozen=True)
class Period:
    period_type: PeriodType
    label: str
    start: date
    end: date
    is_complete: bool
    source_extract_date: date


@dataclass(frozen=True)
class Council:
    la_code: str
    la_name: str


@dataclass(frozen=True)
class Publication:
    """The publication the marts being read are (transform/publication.py switches both in at once)."""

    publication_id: int | None  # None: the marts were built before publications were recorded
    published_at: datetime | None

    @property
    def text(self) -> str:
        if self.publication_id is None:
            return "not recorded"
        return f"publication {self.publication_id} of {self.published_at:%d %B %Y %H:%M}"


def publication(conn: psycopg.Connection) -> Publication:
    """The publication of the marts this transaction reads. Call it after a first read of the marts:
    that read holds yesterday's tables against the nightly switch, whose transaction also records
    the publication, so the two cannot disagree (and the caller reads one publication throughout)."""
    row = conn.execute("select publication_id, published_at from audit.publications"
                       " order by publication_id desc limit 1").fetchone()
    return Publication(*row) if row else Publication(None, None)


# (measure_id, breakdown, breakdown_value, period_label) -> published_value
PublishedFigures = dict[tuple[str, str, str, str], str]


@contextmanager
def connected(conn_or_dsn: psycopg.Connection | str) -> Iterator[psycopg.Connection]:
    """The connection passed in, or one opened (and closed) for a DSN."""
    if isinstance(conn_or_dsn, psycopg.Connection):
        yield conn_or_dsn
        return
    with psycopg.connect(conn_or_dsn) as conn:
        yield conn


def require_mart(conn: psycopg.Connection) -> None:
    if conn.execute("select to_regclass(%s)", (MART,)).fetchone()[0] is None:
        raise ReportInputError(
            f"{MART} does not exist yet: run the nightly pipeline (`csc run`) so dbt builds it."
        )


def council(conn: psycopg.Connection, la_code: str) -> Council:
    require_mart(conn)
    row = conn.execute(
        f"select la_name from {MART} where la_code = %s order by source_extract_date desc limit 1", (la_code,)
    ).fetchone()
    if row is None:
        known = conn.execute(f"select distinct la_code from {MART} order by la_code").fetchall()
        listing = ", ".join(code for (code,) in known) or "none yet"
        raise ReportInputError(
            f"Council {la_code!r} has no published figures in {MART}. Councils available: {listing}."
        )
    return Council(la_code, row[0] or la_code)


def periods(conn: psycopg.Connection, la_code: str, period_type: PeriodType) -> list[Period]:
    """The council's published periods of one type, oldest first."""
    rows = conn.execute(
        f"""
        select distinct on (period_label)
            period_label, period_start, as_at_date, is_complete, source_extract_date
        from {MART}
        where la_code = %s and period_type = %s
        order by period_label, source_extract_date desc
        """,
        (la_code, period_type),
    ).fetchall()
    found = [Period(period_type, label, start, end, complete, extract) for label, start, end, complete, extract in rows]
    return sorted(found, key=lambda p: p.start)


def find_period(available: list[Period], label: str, la_code: str) -> Period:
    for period in available:
        if period.label == label:
            return period
    kind = "financial year" if not available or available[0].period_type == "financial_year" else "quarter"
    listing = ", ".join(p.label for p in available) or "none"
    raise ReportInputError(
        f"No published figures for {la_code} in the {kind} {label!r}. Periods available: {listing}. "
        "(A financial year is written like 2025-26, a quarter like 2025-26 Q2.)"
    )


def published_figures(conn: psycopg.Connection, la_code: str, columns: list[Period]) -> PublishedFigures:
    """`published_value` of every measure × breakdown value in the given periods (one type)."""
    if not columns:
        return {}
    rows = conn.execute(
        f"""
        select measure_id, breakdown, breakdown_value, period_label, published_value
        from {MART}
        where la_code = %s and period_type = %s and period_label = any(%s)
        """,
        (la_code, columns[0].period_type, [p.label for p in columns]),
    ).fetchall()
    return {(m, b, v, p): published for m, b, v, p, published in rows}
