-- The legal status in force on each period end (measures.md §2): start <= D and
-- (end null or end > D); where two overlap for a child, the later start wins,
-- then the higher id.
with

periods as (

    select la_code, period_type, period_label, period_end
    from {{ ref('int_reporting_periods') }}

),

legal_statuses as (

    select
        la_code,
        lega_legal_status_id as legal_status_id,
        lega_person_id as person_id,
        lega_legal_status as legal_status,
        lega_legal_status_start_date as legal_status_start,
        lega_legal_status_end_date as legal_status_end
    from {{ ref('stg_ssd__legal_statuses') }}
    where lega_person_id is not null

),

in_force as (

    select
        periods.la_code,
        periods.period_type,
        periods.period_label,
        periods.period_end,
        legal_statuses.person_id,
        legal_statuses.legal_status_id,
        legal_statuses.legal_status,
        legal_statuses.legal_status_start,
        row_number() over (
            partition by periods.la_code, periods.period_type, periods.period_label, legal_statuses.person_id
            order by {{ later_start_then_higher_id('legal_statuses.legal_status_start', 'legal_statuses.legal_status_id') }}
        ) as precedence
    from periods
    inner join legal_statuses
        on legal_statuses.la_code = periods.la_code
        and {{ in_force('legal_statuses.legal_status_start', 'legal_statuses.legal_status_end', 'periods.period_end') }}

)

select
    la_code,
    period_type,
    period_label,
    period_end,
    person_id,
    legal_status_id,
    legal_status,
    legal_status_start,
    coalesce(legal_status in {{ sql_list(var('short_break_legal_statuses')) }}, false) as is_short_break
from in_force
where precedence = 1
