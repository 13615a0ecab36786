-- Children looked after on each period end: an episode in force on that date
-- (start <= D and (ceased null or ceased > D)), one row per child (the later-starting
-- episode, then the higher id, where records overlap). Short breaks (legal status
-- V3/V4 in force on the date) are kept and flagged: measures exclude them.
with

periods as (

    select la_code, period_type, period_label, period_start, period_end
    from {{ ref('int_reporting_periods') }}

),

episodes as (

    select
        la_code,
        clae_cla_episode_id as cla_episode_id,
        clae_person_id as person_id,
        clae_cla_id as cla_id,
        clae_cla_episode_start_date as episode_start,
        clae_cla_episode_ceased_date as episode_ceased
    from {{ ref('stg_ssd__cla_episodes') }}
    where clae_person_id is not null

),

-- One episode per child and period: the later start wins, then the higher id. (distinct on
-- rather than row_number() = 1, whose row estimate of a handful misled the planner into
-- nested loops over the joins below.)
episodes_in_force as (

    select distinct on (periods.la_code, periods.period_type, periods.period_label, episodes.person_id)
        periods.*,
        episodes.person_id,
        episodes.cla_episode_id,
        episodes.cla_id
    from periods
    inner join episodes
        on episodes.la_code = periods.la_code
        and {{ in_force('episodes.episode_start', 'episodes.episode_ceased', 'periods.period_end') }}
    order by periods.la_code, periods.period_type, periods.period_label, episodes.person_id,
        {{ later_start_then_higher_id('episodes.episode_start', 'episodes.cla_episode_id') }}

),

legal_statuses as (

    select * from {{ ref('int_legal_statuses_at_period_end') }}

),

persons as (

    select
        la_code,
        pers_person_id as person_id,
        pers_dob,
        pers_sex as sex,
        pers_ethnicity as ethnicity
    from {{ ref('stg_ssd__persons') }}

),

periods_of_care as (

    select la_code, cla_id, period_of_care_start
    from {{ ref('int_periods_of_care') }}

),

children as (

    select
        episodes_in_force.la_code,
        episodes_in_force.period_type,
        episodes_in_force.period_label,
        episodes_in_force.period_start,
        episodes_in_force.period_end,
        episodes_in_force.person_id,
        episodes_in_force.cla_episode_id,
        episodes_in_force.cla_id,
        periods_of_care.period_of_care_start,
        legal_statuses.legal_status,
        coalesce(legal_statuses.is_short_break, false) as is_short_break,
        persons.pers_dob,
        {{ age_in_years('persons.pers_dob', 'episodes_in_force.period_end') }} as age_years,
        persons.sex,
        persons.ethnicity
    from episodes_in_force
    left join legal_statuses
        on legal_statuses.la_code = episodes_in_force.la_code
        and legal_statuses.period_type = episodes_in_force.period_type
        and legal_statuses.period_label = episodes_in_force.period_label
        and legal_statuses.person_id = episodes_in_force.person_id
    left join persons
        on persons.la_code = episodes_in_force.la_code
        and persons.person_id = episodes_in_force.person_id
    left join periods_of_care
        on periods_of_care.la_code = episodes_in_force.la_code
        and periods_of_care.cla_id = episodes_in_force.cla_id

)

select
    *,
    {{ age_band('age_years') }} as age_band,
    {{ ethnicity_group('ethnicity') }} as ethnicity_group
from children
