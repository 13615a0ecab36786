-- Episodes of care with what every episode-based model needs beside them: the child's
-- date of birth, date of death, sex and ethnicity (ssd_person) and the start of the episode's period of
-- care (int_periods_of_care). Who is looked after on a period end (int_cla_at_period_end)
-- and adoptions (int_adoptions) both select from it. Analysed after it is built: the
-- period-end join in int_cla_at_period_end is planned badly without statistics.
{{ config(post_hook='analyze {{ this }}') }}

with

episodes as (

    select
        la_code,
        clae_cla_episode_id as cla_episode_id,
        clae_person_id as person_id,
        clae_cla_id as cla_id,
        clae_cla_episode_start_date as episode_start,
        clae_cla_episode_ceased_date as episode_ceased,
        clae_cla_episode_ceased_reason as ceased_reason
    from {{ ref('stg_ssd__cla_episodes') }}

),

persons as (

    select
        la_code,
        pers_person_id as person_id,
        pers_dob,
        pers_death_date,
        pers_sex as sex,
        pers_ethnicity as ethnicity
    from {{ ref('stg_ssd__persons') }}

),

periods_of_care as (

    select la_code, cla_id, period_of_care_start
    from {{ ref('int_periods_of_care') }}

)

select
    episodes.la_code,
    episodes.cla_episode_id,
    episodes.person_id,
    episodes.cla_id,
    episodes.episode_start,
    episodes.episode_ceased,
    episodes.ceased_reason,
    periods_of_care.period_of_care_start,
    persons.pers_dob,
    persons.pers_death_date,
    persons.sex,
    persons.ethnicity
from episodes
left join persons
    on persons.la_code = episodes.la_code
    and persons.person_id = episodes.person_id
left join periods_of_care
    on periods_of_care.la_code = episodes.la_code
    and periods_of_care.cla_id = episodes.cla_id
