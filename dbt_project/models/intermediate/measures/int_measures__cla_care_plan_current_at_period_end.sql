-- cla_care_plan_current_at_period_end (measures.md §3): of the children looked after at
-- period end (short breaks excluded) for at least 10 working days (var
-- cla_care_plan_min_working_days), those with a care plan in force on that date.
with

children as (

    select * from {{ ref('int_cla_at_period_end') }}
    where not is_short_break and is_looked_after_long_enough_for_care_plan

),

population as (

    select la_code, period_type, period_label, has_care_plan as in_numerator
    from children

),

cells as (

    {{ measure_percentages('cla_care_plan_current_at_period_end', 'population') | indent(4) }}

)

select * from cells
