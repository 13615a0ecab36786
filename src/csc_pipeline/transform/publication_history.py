"""Recording a publication: what `marts.performance_measures` publishes, night by night.

Called inside the switch of the marts (publication.py), so a publication is recorded exactly when
the marts it describes become visible. Only figures that differ (published_value or value) from
the previous publication are copied into `audit.published_figures`: new figures, revised ones,
and, once, figures no longer published (`withdrawn`).
"""

from __future__ import annotations

import psycopg

MART = "marts.performance_measures"

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

class PublicationError(RuntimeError):
    pass


def record_publication(conn: psycopg.Connection, *, through_load_id: int | None = None) -> tuple[int | None, int]:
    """Record the figures of marts.performance_measures as a publication, inside the caller's
    transaction; returns (publication_id, rows of the mart). An empty mart is refused when
    figures were published before (it would withdraw them all); when nothing ever was, there is
    nothing to record (publication_id None)."""
    conn.execute("select pg_advisory_xact_lock(hashtext('csc_publication_history'))")
    rows = conn.execute(f"select count(*) from {MART}").fetchone()[0]
    if rows == 0:
        if conn.execute("select exists (select from audit.published_figures where not withdrawn)").fetchone()[0]:
            raise PublicationError(
                f"{MART} is empty: not publishing marts that would withdraw every published figure. "
                "Check the night's dbt build.")
        return None, 0
    publication_id = conn.execute(
        "insert into audit.publications (through_load_id) values (%s) returning publication_id",
        (through_load_id,)).fetchone()[0]
    recorded = conn.execute(_RECORD, {"publication_id": publication_id}).rowcount
    conn.execute("update audit.publications set rows_recorded = %s where publication_id = %s",
                 (recorded, publication_id))
    return publication_id, rows
