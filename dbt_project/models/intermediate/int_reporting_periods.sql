-- Every financial year and quarter published for each council (measures.md §1):
-- from the first that starts on or after the window start to the last that starts
-- before the extract date. period_end is always the calendar end (31 March for a year);
-- as_at_date is the date the figures are measured at, what "period end" means in
-- measures.md §2–3: the last day of a complete period, the day before the extract date
-- for a running one (the snapshot covers events up to then). Models take their
-- reference date from as_at_date, never from period_end.
with

extracts as (

    select la_code, extract_date, window_start
    from {{ ref('stg_audit__current_extracts') }}

),

financial_years as (

    select
        extracts.la_code,
        extracts.extract_date,
        extracts.window_start,
        year_start::date as year_start
    from extracts
    cross join lateral generate_series(
        -- 1 April of the financial year holding the window start
        make_date(date_part('year', extracts.window_start - interval '3 months')::integer, 4, 1)::timestamp,
        (extracts.extract_date - 1)::timestamp,
        interval '1 year'
    ) as year_start

),

labelled as (

    select
        *,
        date_part('year', year_start)::integer::text || '-'
            || lpad(((date_part('year', year_start)::integer + 1) % 100)::text, 2, '0') as year_label
    from financial_years

),

periods as (

    select
        la_code,
        extract_date,
        window_start,
        'financial_year'::text as period_type,
        year_label as period_label,
        year_start as period_start,
        (year_start + interval '1 year' - interval '1 day')::date as last_day
    from labelled

    union all

    select
        la_code,
        extract_date,
        window_start,
        'financial_quarter'::text as period_type,
        year_label || ' Q' || quarter::text as period_label,
        (year_start + (quarter - 1) * interval '3 months')::date as period_start,
        (year_start + quarter * interval '3 months' - interval '1 day')::date as last_day
    from labelled
    cross join generate_series(1, 4) as quarter

)

select
    la_code,
    period_type,
    period_label,
    period_start,
    last_day as period_end,
    least(last_day, extract_date - 1) as as_at_date,
    last_day < extract_date as is_complete,
    extract_date
from periods
where period_start >= window_start
    and period_start < extract_date
