-- Periods of care (measures.md §2): the episodes sharing one clae_cla_id. A period
-- starts at its first episode's start and ends at its last episode's ceased date,
-- unless that episode ceased with reason X1 (a new episode begins the same day).
-- Episodes that ended before the drop's window start have aged out of the extract, so
-- the period's recorded start (clae_entered_care_date, optional) is used when earlier.
-- A period begun under short breaks and continued under another legal status starts when
-- that status comes into force (full_time_starts).
-- began_before_window: the period started before the window, so its earlier reviews
-- may be missing. first_review_due_date: its first review is due 20 working days after
-- its start (Care Planning, Placement and Case Review (England) Regulations 2010, reg
-- 33(1): var cla_review_first_working_days), the start itself not counted.
with

episodes as (

    select
        la_code,
        clae_cla_id as cla_id,
        clae_cla_episode_id as cla_episode_id,
        clae_person_id as person_id,
        clae_cla_episode_start_date as episode_start,
        clae_cla_episode_ceased_date as episode_ceased,
        clae_cla_episode_ceased_reason as episode_ceased_reason,
        clae_entered_care_date as entered_care_date
    from {{ ref('stg_ssd__cla_episodes') }}

),

ranked as (

    select
        *,
        -- The last episode (measures.md §2): the later start, then the later ceased date (an
        -- open episode last), then the higher id, so a zero-length episode starting the same
        -- day as a longer one never ends the period.
        row_number() over (
            partition by la_code, cla_id
            order by episode_start desc, episode_ceased desc nulls first, length(cla_episode_id) desc,
                cla_episode_id desc
        ) as episodes_from_last
    from episodes

),

spans as (

    select
        la_code,
        cla_id,
        least(min(episode_start), min(entered_care_date)) as period_of_care_start,
        count(*) as episode_count
    from episodes
    group by 1, 2

),

last_episodes as (

    select * from ranked where episodes_from_last = 1

),

legal_statuses as (

    select la_code, person_id, is_short_break, valid_from, valid_to
    from {{ ref('int_legal_status_spells') }}

),

-- A period that begins under short breaks (V3/V4, reviewed under reg 48) and continues under
-- another legal status starts, for every measure and the review schedule, on the first day
-- another status is in force, if that day comes before the period ends (measures.md §2).
full_time_starts as (

    select
        spans.la_code,
        spans.cla_id,
        min(later.valid_from) as full_time_start
    from spans
    inner join last_episodes using (la_code, cla_id)
    inner join legal_statuses as at_start
        on at_start.la_code = spans.la_code
        and at_start.person_id = last_episodes.person_id
        and at_start.is_short_break
        and {{ in_force('at_start.valid_from', 'at_start.valid_to', 'spans.period_of_care_start') }}
    inner join legal_statuses as later
        on later.la_code = spans.la_code
        and later.person_id = last_episodes.person_id
        and not later.is_short_break
        and later.valid_from > spans.period_of_care_start
        and (last_episodes.episode_ceased is null
             or last_episodes.episode_ceased_reason = '{{ var("period_of_care_continues_reason") }}'
             or later.valid_from < last_episodes.episode_ceased)
    group by 1, 2

),

starts as (

    select
        spans.la_code,
        spans.cla_id,
        coalesce(full_time_starts.full_time_start, spans.period_of_care_start) as period_of_care_start,
        spans.episode_count
    from spans
    left join full_time_starts using (la_code, cla_id)

),

extracts as (

    select la_code, window_start from {{ ref('stg_audit__current_extracts') }}

)

select
    starts.la_code,
    starts.cla_id,
    last_episodes.person_id,
    starts.period_of_care_start,
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
    starts.episode_count,
    extracts.window_start,
    coalesce(starts.period_of_care_start < extracts.window_start, false) as began_before_window,
    first_review_due.date_day as first_review_due_date
from starts
inner join last_episodes using (la_code, cla_id)
left join extracts using (la_code)
{{ join_working_days_after('first_review_due', 'starts.period_of_care_start', var('cla_review_first_working_days')) }}
