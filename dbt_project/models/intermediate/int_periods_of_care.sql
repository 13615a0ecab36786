-- Periods of care (measures.md §2): the episodes sharing one clae_cla_id. A period
-- starts at its first episode's start and ends at its last episode's ceased date,
-- unless that episode ceased with reason X1 (a new episode begins the same day).
with

episodes as (

    select
        la_code,
        clae_cla_id as cla_id,
        clae_cla_episode_id as cla_episode_id,
        clae_person_id as person_id,
        clae_cla_episode_start_date as episode_start,
        clae_cla_episode_ceased_date as episode_ceased,
        clae_cla_episode_ceased_reason as episode_ceased_reason
    from {{ ref('stg_ssd__cla_episodes') }}

),

ranked as (

    select
        *,
        row_number() over (
            partition by la_code, cla_id
            order by {{ later_start_then_higher_id('episode_start', 'cla_episode_id') }}
        ) as episodes_from_last
    from episodes

),

spans as (

    select
        la_code,
        cla_id,
        min(episode_start) as period_of_care_start,
        count(*) as episode_count
    from episodes
    group by 1, 2

),

last_episodes as (

    select * from ranked where episodes_from_last = 1

)

select
    spans.la_code,
    spans.cla_id,
    last_episodes.person_id,
    spans.period_of_care_start,
    case
        when last_episodes.episode_ceased_reason = '{{ var("period_of_care_continues_reason") }}' then null
        else last_episodes.episode_ceased
    end as period_of_care_end,
    case
        when last_episodes.episode_ceased_reason = '{{ var("period_of_care_continues_reason") }}' then null
        when last_episodes.episode_ceased is null then null
        else last_episodes.episode_ceased_reason
    end as ceased_reason,
    last_episodes.cla_episode_id as last_cla_episode_id,
    spans.episode_count
from spans
inner join last_episodes using (la_code, cla_id)
