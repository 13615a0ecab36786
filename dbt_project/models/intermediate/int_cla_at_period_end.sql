-- Children looked after on each period end, the one source of "looked after at period
-- end" (every such measure and fct_cla_at_period_end select from it). One row per child
-- and period: the episode in force on that date (measures.md §2: start <= D and (ceased
-- null or ceased > D); the later-starting episode, then the higher id, where records
-- overlap), with what else is in force on it (the spells of int_legal_status_spells,
-- int_placement_spells, int_iro_spells, and care plans): legal status, placement, IRO,
-- whether a care plan is in force; and whether the child has been looked after long
-- enough for the care plan, health and PEP measures, each with its own setting ("looked
-- after for at least N working days": the period of care began on or before the date N
-- working days before D).
-- Short breaks (legal status V3/V4 in force on the date) are kept and flagged: measures
-- exclude them. Analysed after it is built: the care plan, health and education measures
-- join it.
{{ config(post_hook='analyze {{ this }}') }}

with

episodes as (

    select * from {{ ref('int_cla_episodes') }}
    where person_id is not null

),

-- One episode per child and period: the later start wins, then the higher id. Nobody is
-- looked after from their 18th birthday or their death, even with an episode left open
-- (measures.md §2; the gate warns about such episodes).
episodes_in_force as (

    select *
    from (
        {{ records_at_period_ends('episodes', 'episode_start', 'episode_ceased',
                                  one_per='person_id', id_column='cla_episode_id') | indent(8) }}
    ) as in_force
    where {{ counts_as_a_child_on('pers_dob', 'pers_death_date', 'as_at_date') }}

),

legal_statuses as (

    select * from {{ ref('int_legal_status_spells') }}

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

children as (

    select
        episodes_in_force.la_code,
        episodes_in_force.period_type,
        episodes_in_force.period_label,
        episodes_in_force.period_start,
        episodes_in_force.period_end,
        episodes_in_force.as_at_date,
        episodes_in_force.person_id,
        episodes_in_force.cla_episode_id,
        episodes_in_force.cla_id,
        episodes_in_force.period_of_care_start,
        legal_statuses.legal_status,
        coalesce(legal_statuses.is_short_break, false) as is_short_break,
        episodes_in_force.pers_dob,
        {{ age_in_years('episodes_in_force.pers_dob', 'episodes_in_force.as_at_date') }} as age_years,
        episodes_in_force.sex,
        episodes_in_force.ethnicity
    from episodes_in_force
    {{ join_spell_in_force('legal_statuses', 'legal_statuses', 'episodes_in_force', 'episodes_in_force.as_at_date')
       | indent(4) }}

),

children_with_care_plans as (

    select distinct children.la_code, children.period_type, children.period_label, children.person_id
    from children
    inner join care_plans
        on care_plans.la_code = children.la_code
        and care_plans.person_id = children.person_id
        and {{ in_force('care_plans.care_plan_start', 'care_plans.care_plan_end', 'children.as_at_date') }}

)

select
    children.la_code,
    children.period_type,
    children.period_label,
    children.period_start,
    children.period_end,
    children.as_at_date,
    children.person_id,
    children.cla_episode_id,
    children.cla_id,
    children.period_of_care_start,
    children.legal_status,
    children.is_short_break,
    children.pers_dob,
    children.age_years,
    -- Unborn before the date of birth (an expected date of birth cannot matter: the gate
    -- blocks episodes dated before it, so a child looked after on D was due by D).
    {{ age_band_or_unborn('children.pers_dob', 'null', 'children.as_at_date') }} as age_band,
    children.sex,
    children.ethnicity,
    {{ ethnicity_group('children.ethnicity') }} as ethnicity_group,
    placements.placement_id,
    placements.placement_type,
    placements.placement_provider,
    placements.placement_distance,
    iros.professional_id as iro_professional_id,
    children_with_care_plans.person_id is not null as has_care_plan,
    coalesce(children.period_of_care_start <= care_plan_min.date_day, false)
        as is_looked_after_long_enough_for_care_plan,
    coalesce(children.period_of_care_start <= health_min.date_day, false)
        as is_looked_after_long_enough_for_health,
    coalesce(children.period_of_care_start <= pep_min.date_day, false)
        as is_looked_after_long_enough_for_pep
from children
left join children_with_care_plans
    on children_with_care_plans.la_code = children.la_code
    and children_with_care_plans.period_type = children.period_type
    and children_with_care_plans.period_label = children.period_label
    and children_with_care_plans.person_id = children.person_id
{{ join_spell_in_force('placements', 'placements', 'children', 'children.as_at_date') }}
{{ join_spell_in_force('iros', 'iros', 'children', 'children.as_at_date') }}
{{ join_working_days_before('care_plan_min', 'children.as_at_date', var('cla_care_plan_min_working_days')) }}
{{ join_working_days_before('health_min', 'children.as_at_date', var('cla_health_min_working_days')) }}
{{ join_working_days_before('pep_min', 'children.as_at_date', var('cla_pep_min_working_days')) }}
