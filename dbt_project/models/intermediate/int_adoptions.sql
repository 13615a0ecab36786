-- Adoptions: episodes of care that ceased with an adoption reason (var
-- adoption_ceased_reasons: E11, E12); the ceased date is the adoption order's date
-- (measures.md §3 adoptions_in_period). Age on that date; the adoption decisions of the
-- period of care (ssd_permanence, the latest record) beside it.
with

episodes as (

    select
        la_code,
        clae_cla_episode_id as cla_episode_id,
        clae_person_id as person_id,
        clae_cla_id as cla_id,
        clae_cla_episode_ceased_date as adoption_date,
        clae_cla_episode_ceased_reason as ceased_reason
    from {{ ref('stg_ssd__cla_episodes') }}
    where clae_cla_episode_ceased_reason in {{ sql_list(var('adoption_ceased_reasons')) }}
        and clae_cla_episode_ceased_date is not null

),

periods_of_care as (

    select la_code, cla_id, period_of_care_start from {{ ref('int_periods_of_care') }}

),

persons as (

    select la_code, pers_person_id as person_id, pers_dob from {{ ref('stg_ssd__persons') }}

),

permanence as (

    select distinct on (la_code, perm_cla_id)
        la_code,
        perm_cla_id as cla_id,
        perm_adm_decision_date as adm_decision_date,
        perm_placement_order_date as placement_order_date,
        perm_placed_for_adoption_date as placed_for_adoption_date,
        perm_matched_date as matched_date
    from {{ ref('stg_ssd__permanences') }}
    where perm_cla_id is not null
    order by la_code, perm_cla_id, coalesce(perm_permanence_order_date, perm_placed_for_adoption_date,
        perm_placement_order_date, perm_adm_decision_date) desc nulls last, length(perm_table_id) desc, perm_table_id desc

)

select
    episodes.la_code,
    episodes.cla_episode_id,
    episodes.person_id,
    episodes.cla_id,
    episodes.adoption_date,
    episodes.ceased_reason,
    {{ age_in_years('persons.pers_dob', 'episodes.adoption_date') }} as age_years,
    {{ age_band(age_in_years('persons.pers_dob', 'episodes.adoption_date')) }} as age_band,
    periods_of_care.period_of_care_start,
    episodes.adoption_date - periods_of_care.period_of_care_start as days_from_entering_care,
    permanence.adm_decision_date,
    permanence.placement_order_date,
    permanence.placed_for_adoption_date,
    permanence.matched_date
from episodes
left join persons
    on persons.la_code = episodes.la_code
    and persons.person_id = episodes.person_id
left join periods_of_care
    on periods_of_care.la_code = episodes.la_code
    and periods_of_care.cla_id = episodes.cla_id
left join permanence
    on permanence.la_code = episodes.la_code
    and permanence.cla_id = episodes.cla_id
