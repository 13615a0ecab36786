-- Adoptions: episodes of care (int_cla_episodes) that ceased with an adoption reason (var
-- adoption_ceased_reasons: E11, E12); the ceased date is the adoption order's date
-- (measures.md §3 adoptions_in_period). Age on that date; the adoption decisions of the
-- period of care (ssd_permanence, the latest record) beside it.
with

adoptions as (

    select * from {{ ref('int_cla_episodes') }}
    where ceased_reason in {{ sql_list(var('adoption_ceased_reasons')) }}
        and episode_ceased is not null

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
    adoptions.la_code,
    adoptions.cla_episode_id,
    adoptions.person_id,
    adoptions.cla_id,
    adoptions.episode_ceased as adoption_date,
    adoptions.ceased_reason,
    {{ age_in_years('adoptions.pers_dob', 'adoptions.episode_ceased') }} as age_years,
    {{ age_band_or_unborn('adoptions.pers_dob', 'null', 'adoptions.episode_ceased') }} as age_band,
    adoptions.period_of_care_start,
    adoptions.episode_ceased - adoptions.period_of_care_start as days_from_entering_care,
    permanence.adm_decision_date,
    permanence.placement_order_date,
    permanence.placed_for_adoption_date,
    permanence.matched_date
from adoptions
left join permanence
    on permanence.la_code = adoptions.la_code
    and permanence.cla_id = adoptions.cla_id
