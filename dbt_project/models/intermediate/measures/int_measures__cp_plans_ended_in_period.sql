-- cp_plans_ended_in_period (measures.md §3): plans that ended in the period.
with

plans as (

    select * from {{ ref('int_cp_plans') }}

),

population as (

    select la_code, period_type, period_label
    from ({{ events_in_periods('plans', 'plan_end') | indent(4) }}) as in_period

),

cells as (

    {{ measure_counts('cp_plans_ended_in_period', 'population', []) | indent(4) }}

)

select * from cells
