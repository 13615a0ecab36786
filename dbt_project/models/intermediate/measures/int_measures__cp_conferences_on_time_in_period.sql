-- cp_conferences_on_time_in_period (measures.md §3): initial conferences within 15
-- working days plus review conferences on time, over cp_conferences_in_period.
with

conferences as (

    select * from {{ ref('int_cp_conferences') }}
    where conference_type = 'review' or not is_transfer_in

),

population as (

    select la_code, period_type, period_label, coalesce(is_on_time, false) as in_numerator
    from ({{ events_in_periods('conferences', 'conference_date') | indent(4) }}) as in_period

),

cells as (

    {{ measure_percentages('cp_conferences_on_time_in_period', 'population') | indent(4) }}

)

select * from cells
