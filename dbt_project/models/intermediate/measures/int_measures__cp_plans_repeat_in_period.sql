-- cp_plans_repeat_in_period (measures.md §3): of the plans that started in the period
-- (cp_plans_started_in_period), those for a child who had an earlier plan.
with

plans as (

    select * from {{ ref('int_cp_plans') }}

),

population as (

    select la_code, period_type, period_label, is_repeat as in_numerator
    from ({{ events_in_periods('plans', 'plan_start') | indent(4) }}) as in_period

),

cells as (

    {{ measure_percentages('cp_plans_repeat_in_period', 'population') | indent(4) }}

)

select * from cells
