-- The looked-after snapshot at every period end: the children of int_cla_at_period_end
-- (short breaks kept and marked) with what is in force on that date (measures.md §2:
-- start <= D and (end null or end > D), the later start winning): their placement, their
-- IRO, whether a care plan is in force, and whether they have been looked after long
-- enough for the care plan and health measures ("looked after for at least N working
-- days": the period of care began on or before the date N working days before D).
-- Analysed after it is built: the care plan, health and education measures join it.
{{ config(post_hook='analyze {{ this }}') }}

with

children as (

    select * from {{ ref('int_cla_at_period_end') }}

),

placements as (

    select * from {{ ref('int_placement_spells') }}

),

iros as (

    select * from {{ ref('int_iro_spells') }}

),

care_plans as (

    select
        la_code,
        lacp_person_id as person_id,
        lacp_cla_care_plan_start_date as care_plan_start,
        lacp_cla_care_plan_end_date as care_plan_end
    from {{ ref('stg_ssd__cla_care_plans') }}

),

children_with_care_plans as (

    select distinct children.la_code, children.period_type, children.period_label, children.person_id
    from children
    inner join care_plans
        on care_plans.la_code = children.la_code
        and care_plans.person_id = children.person_id
        and {{ in_force('care_plans.care_plan_start', 'care_plans.care_plan_end', 'children.period_end') }}

)

select
    children.la_code,
    children.period_type,
    children.period_label,
    children.period_start,
    children.period_end,
    children.person_id,
    children.cla_id,
    children.cla_episode_id,
    children.period_of_care_start,
    children.legal_status,
    children.is_short_break,
    children.pers_dob,
    children.age_years,
    children.age_band,
    children.sex,
    children.ethnicity_group,
    placements.placement_id,
    placements.placement_type,
    placements.placement_provider,
    placements.placement_distance,
    iros.professional_id as iro_professional_id,
    children_with_care_plans.person_id is not null as has_care_plan,
    coalesce(children.period_of_care_start <= care_plan_min.date_day, false)
        as is_looked_after_long_enough_for_care_plan,
    coalesce(children.period_of_care_start <= health_min.date_day, false)
        as is_looked_after_long_enough_for_health
from children
left join children_with_care_plans
    on children_with_care_plans.la_code = children.la_code
    and children_with_care_plans.period_type = children.period_type
    and children_with_care_plans.period_label = children.period_label
    and children_with_care_plans.person_id = children.person_id
left join placements
    on placements.la_code = children.la_code
    and placements.person_id = children.person_id
    and {{ in_force('placements.valid_from', 'placements.valid_to', 'children.period_end') }}
left join iros
    on iros.la_code = children.la_code
    and iros.person_id = children.person_id
    and {{ in_force('iros.valid_from', 'iros.valid_to', 'children.period_end') }}
{{ join_working_days_before('care_plan_min', 'children.period_end', var('cla_care_plan_min_working_days')) }}
{{ join_working_days_before('health_min', 'children.period_end', var('cla_health_min_working_days')) }}
