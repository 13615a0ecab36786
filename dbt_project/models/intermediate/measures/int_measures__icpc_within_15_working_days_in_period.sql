-- icpc_within_15_working_days_in_period (measures.md §3): of the initial conferences in
-- icpc_in_period, those held within 15 working days (var icpc_working_days) of the s47
-- start; a conference with no s47 start date counts as not within.
with

conferences as (

    select * from {{ ref('int_cp_conferences') }}
    where conference_type = 'initial' and not is_transfer_in

),

population as (

    select la_code, period_type, period_label, coalesce(is_on_time, false) as in_numerator
    from ({{ events_in_periods('conferences', 'conference_date') | indent(4) }}) as in_period

),

cells as (

    {{ measure_percentages('icpc_within_15_working_days_in_period', 'population') | indent(4) }}

)

select * from cells
