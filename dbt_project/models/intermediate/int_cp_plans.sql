-- Child protection plans: one row per plan with its initial conference, duration, and
-- whether it is a repeat plan (measures.md §3 cp_plans_repeat_in_period: the child had
-- an earlier plan, i.e. one that started before this one, within the extract).
with

plans as (

    select
        la_code,
        cppl_cp_plan_id as cp_plan_id,
        cppl_person_id as person_id,
        cppl_icpc_id as icpc_id,
        cppl_cp_plan_start_date as plan_start,
        cppl_cp_plan_end_date as plan_end,
        cppl_cp_plan_initial_category as initial_category,
        cppl_cp_plan_latest_category as latest_category,
        coalesce(cppl_cp_plan_ola = 'Y', false) as is_from_other_authority
    from {{ ref('stg_ssd__cp_plans') }}

),

conferences as (

    select
        la_code,
        icpc_icpc_id as icpc_id,
        icpc_cp_plan_id as cp_plan_id,
        icpc_icpc_date as conference_date,
        coalesce(icpc_icpc_transfer_in = 'Y', false) as is_transfer_in
    from {{ ref('stg_ssd__initial_cp_conferences') }}

),

-- The plan's initial conference: the one it names (cppl_icpc_id), else one naming the
-- plan (icpc_cp_plan_id; the latest if several).
conferences_naming_a_plan as (

    select distinct on (la_code, cp_plan_id) *
    from conferences
    where cp_plan_id is not null
    order by la_code, cp_plan_id, conference_date desc nulls last, length(icpc_id) desc, icpc_id desc

),

initial_conferences as (

    select
        plans.la_code,
        plans.cp_plan_id,
        coalesce(named.icpc_id, naming.icpc_id) as icpc_id,
        case when named.icpc_id is not null then named.conference_date else naming.conference_date end
            as conference_date,
        case when named.icpc_id is not null then named.is_transfer_in else naming.is_transfer_in end
            as is_transfer_in
    from plans
    left join conferences as named
        on named.la_code = plans.la_code
        and named.icpc_id = plans.icpc_id
    left join conferences_naming_a_plan as naming
        on naming.la_code = plans.la_code
        and naming.cp_plan_id = plans.cp_plan_id

),

persons as (

    select la_code, pers_person_id as person_id, pers_dob, pers_expected_dob
    from {{ ref('stg_ssd__persons') }}

),

extracts as (

    select la_code, window_start from {{ ref('stg_audit__current_extracts') }}

),

numbered as (

    select
        plans.*,
        row_number() over child_plans as plan_number,
        min(plans.plan_start) over (
            partition by plans.la_code, {{ link_key('plans.person_id', 'plans.cp_plan_id') }}
        ) as first_plan_start
    from plans
    -- A plan with no person is its own child's only plan (measures.md §2: missing links never join).
    window child_plans as (
        partition by plans.la_code, {{ link_key('plans.person_id', 'plans.cp_plan_id') }}
        order by {{ earlier_date_then_lower_id('plans.plan_start', 'plans.cp_plan_id') }}
    )

)

select
    numbered.la_code,
    numbered.cp_plan_id,
    numbered.person_id,
    initial_conferences.icpc_id,
    initial_conferences.conference_date as initial_conference_date,
    coalesce(initial_conferences.is_transfer_in, false) as began_with_transfer_in,
    numbered.plan_start,
    numbered.plan_end,
    numbered.plan_end is null as is_open,
    numbered.plan_end - numbered.plan_start as duration_days,
    numbered.initial_category,
    numbered.latest_category,
    numbered.is_from_other_authority,
    cast(numbered.plan_number as integer) as plan_number,
    coalesce(numbered.plan_start > numbered.first_plan_start, false) as is_repeat,
    coalesce(least(initial_conferences.conference_date, numbered.plan_start) < extracts.window_start, false)
        as began_before_window,
    {{ age_in_years('persons.pers_dob', 'numbered.plan_start') }} as age_at_start,
    {{ age_band_or_unborn('persons.pers_dob', 'persons.pers_expected_dob', 'numbered.plan_start') }}
        as age_band_at_start
from numbered
left join initial_conferences
    on initial_conferences.la_code = numbered.la_code
    and initial_conferences.cp_plan_id = numbered.cp_plan_id
left join persons
    on persons.la_code = numbered.la_code
    and persons.person_id = numbered.person_id
left join extracts
    on extracts.la_code = numbered.la_code
