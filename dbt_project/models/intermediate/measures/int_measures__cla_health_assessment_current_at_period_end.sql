-- cla_health_assessment_current_at_period_end (measures.md §3): of the children looked
-- after at period end (short breaks excluded) for at least 20 working days (var
-- cla_health_min_working_days), those with a health assessment (type "Health
-- Assessment", any letter case; status Completed) within the previous 6 months if under
-- 5 at period end, 12 months otherwise (vars health_assessment_months_*; a child without
-- a date of birth is held to 12 months): dated on or after the date that many months
-- before the period end, and not after it. By age band.
with

children as (

    select * from {{ ref('int_cla_at_period_end') }}
    where not is_short_break and is_looked_after_long_enough_for_health

),

assessments as (

    select * from {{ ref('int_cla_health_assessments') }}

),

cells as (

    {{ cla_with_document_within('cla_health_assessment_current_at_period_end', 'children', 'assessments',
        'assessment_date',
        'case when children.age_years < 5 then ' ~ var('health_assessment_months_under_5')
            ~ ' else ' ~ var('health_assessment_months_5_and_over') ~ ' end',
        [{'name': 'age_band', 'values': age_band_breakdown_values()}]) | indent(4) }}

)

select * from cells
