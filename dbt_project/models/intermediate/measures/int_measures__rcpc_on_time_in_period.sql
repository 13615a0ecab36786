-- rcpc_on_time_in_period (measures.md §3): of the review conferences in rcpc_in_period,
-- those held on time: the first within 3 months of the initial conference (the plan's
-- start when it has none), later ones within 6 months of the previous review.
with

conferences as (

    select * from {{ ref('int_cp_conferences') }}
    where conference_type = 'review'

),

population as (

    select la_code, period_type, period_label, coalesce(is_on_time, false) as in_numerator
    from ({{ events_in_periods('conferences', 'conference_date') | indent(4) }}) as in_period

),

cells as (

    {{ measure_percentages('rcpc_on_time_in_period', 'population') | indent(4) }}

)

select * from cells
