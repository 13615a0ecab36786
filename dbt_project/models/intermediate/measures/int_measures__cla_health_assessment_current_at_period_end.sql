-- cla_health_assessment_current_at_period_end (measures.md §3): of the children looked
-- after at period end (short breaks excluded) for at least 20 working days (var
-- cla_health_min_working_days), those with a health assessment (type "Health
-- Assessment", any letter case; status Completed) within the previous 6 months if under
-- 5 at period end, 12 months otherwise (vars health_assessment_months_*; a child without
-- a date of birth is held to 12 months): dated on or after the date that many months
-- before the period end, and not after it. By age band.
with

children as (

    select * from {{ ref('int_cla_snapshot') }}
    where not is_short_break and is_looked_after_long_enough_for_health

),

assessments as (

    select * from {{ ref('int_cla_health_assessments') }}

),

current as (

    select distinct children.la_code, children.period_type, children.period_label, children.person_id
    from children
    inner join assessments
        on assessments.la_code = children.la_code
        and assessments.person_id = children.person_id
        and assessments.assessment_date <= children.period_end
        and assessments.assessment_date >= case
            when children.age_years < 5
                then {{ add_months('children.period_end', -var('health_assessment_months_under_5')) }}
            else {{ add_months('children.period_end', -var('health_assessment_months_5_and_over')) }}
        end

),

population as (

    select
        children.la_code,
        children.period_type,
        children.period_label,
        children.age_band,
        current.person_id is not null as in_numerator
    from children
    left join current
        on current.la_code = children.la_code
        and current.period_type = children.period_type
        and current.period_label = children.period_label
        and current.person_id = children.person_id

),

cells as (

    {{ measure_percentages('cla_health_assessment_current_at_period_end', 'population', [
        {'name': 'age_band', 'values': age_band_values() + ['Not known']},
    ]) | indent(4) }}

)

select * from cells
