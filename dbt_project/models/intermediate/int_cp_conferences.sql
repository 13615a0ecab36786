-- Child protection conferences, one row per child per conference (and per plan for
-- review conferences), with their timescales (Working Together to Safeguard Children;
-- vars icpc_working_days, rcpc_first_months, rcpc_later_months):
--   an initial conference is due 15 working days after the s47 start (the strategy
--   discussion); with no s47 start date it counts as not within; transfer-ins are marked
--   and have no s47 timescale;
--   a plan's first review conference is due 3 months after its initial conference (the
--   plan's start when it has none), later ones 6 months after the previous review held.
-- A plan that began before the drop's window start may have lost its earlier reviews: its
-- first review in the window is due on the recorded due date (as for reviews of children
-- looked after, measures.md §3). A review with no plan (cppr_cp_plan_id empty) stands alone
-- (measures.md §2: missing links never join): its recorded due date applies.
with

s47_enquiries as (

    select la_code, s47e_s47_enquiry_id as s47_enquiry_id, s47e_s47_start_date as s47_start_date
    from {{ ref('stg_ssd__s47_enquiries') }}

),

initial_conferences as (

    select
        conferences.la_code,
        conferences.icpc_icpc_id as conference_id,
        conferences.icpc_person_id as person_id,
        conferences.icpc_cp_plan_id as cp_plan_id,
        conferences.icpc_icpc_meeting_id as meeting_id,
        conferences.icpc_icpc_date as conference_date,
        coalesce(conferences.icpc_icpc_transfer_in = 'Y', false) as is_transfer_in,
        conferences.icpc_icpc_target_date as recorded_due_date,
        s47_enquiries.s47_start_date,
        conferences.icpc_icpc_outcome_cp_flag = 'Y' as resulted_in_plan
    from {{ ref('stg_ssd__initial_cp_conferences') }} as conferences
    left join s47_enquiries
        on s47_enquiries.la_code = conferences.la_code
        and s47_enquiries.s47_enquiry_id = conferences.icpc_s47_enquiry_id

),

initial_timed as (

    select
        initial_conferences.*,
        due.date_day as s47_due_date,
        conference_day.working_day_index - due_from.working_day_index as working_days_from_s47
    from initial_conferences
    {{ join_working_days_after('due', 'initial_conferences.s47_start_date', var('icpc_working_days')) | indent(4) }}
    left join {{ ref('int_calendar') }} as conference_day
        on conference_day.date_day = initial_conferences.conference_date

),

plans as (

    select la_code, cp_plan_id, plan_start, initial_conference_date, began_before_window
    from {{ ref('int_cp_plans') }}

),

reviews as (

    select
        reviews.la_code,
        reviews.cppr_cp_review_id as conference_id,
        reviews.cppr_person_id as person_id,
        reviews.cppr_cp_plan_id as cp_plan_id,
        reviews.cppr_cp_review_meeting_id as meeting_id,
        reviews.cppr_cp_review_date as conference_date,
        reviews.cppr_cp_review_due as recorded_due_date,
        reviews.cppr_cp_review_quorate = 'Y' as is_quorate,
        reviews.cppr_cp_review_outcome_continue_cp = 'Y' as plan_continues,
        reviews.cppr_cp_review_participation as participation,
        coalesce(plans.initial_conference_date, plans.plan_start) as plan_anchor_date,
        coalesce(plans.began_before_window, false) as began_before_window,
        plans.cp_plan_id is not null as has_plan
    from {{ ref('stg_ssd__cp_reviews') }} as reviews
    left join plans
        on plans.la_code = reviews.la_code
        and plans.cp_plan_id = reviews.cppr_cp_plan_id

),

reviews_held as (

    select
        *,
        row_number() over plan_reviews as review_in_plan,
        lag(conference_date) over plan_reviews as previous_review_date
    from reviews
    where conference_date is not null
    window plan_reviews as (
        partition by la_code, {{ link_key('cp_plan_id', 'conference_id') }}
        order by {{ earlier_date_then_lower_id('conference_date', 'conference_id') }}
    )

),

reviews_timed as (

    select
        reviews.*,
        cast(reviews_held.review_in_plan as integer) as review_in_plan,
        {{ review_due('reviews_held.review_in_plan', '(reviews.began_before_window or not reviews.has_plan)',
                      'reviews.recorded_due_date',
                      add_months('reviews.plan_anchor_date', var('rcpc_first_months')), [
            ['later', 'reviews_held.review_in_plan > 1',
             add_months('reviews_held.previous_review_date', var('rcpc_later_months'))],
        ]) | indent(8) }}
    from reviews
    left join reviews_held
        on reviews_held.la_code = reviews.la_code
        and reviews_held.conference_id = reviews.conference_id

)

select
    la_code,
    'initial' as conference_type,
    conference_id,
    person_id,
    cp_plan_id,
    meeting_id,
    conference_date,
    is_transfer_in,
    s47_start_date,
    cast(working_days_from_s47 as integer) as working_days_from_s47,
    cast(null as integer) as review_in_plan,
    case when not is_transfer_in then 's47' end as due_rule,
    case when not is_transfer_in then s47_due_date end as due_date,
    recorded_due_date,
    case
        when is_transfer_in or conference_date is null then null
        else coalesce(conference_date <= s47_due_date, false)
    end as is_on_time,
    resulted_in_plan,
    cast(null as boolean) as is_quorate,
    cast(null as boolean) as plan_continues,
    cast(null as text) as participation
from initial_timed

union all

select
    la_code,
    'review' as conference_type,
    conference_id,
    person_id,
    cp_plan_id,
    meeting_id,
    conference_date,
    false as is_transfer_in,
    cast(null as date) as s47_start_date,
    cast(null as integer) as working_days_from_s47,
    review_in_plan,
    due_rule,
    due_date,
    recorded_due_date,
    conference_date <= due_date as is_on_time,
    cast(null as boolean) as resulted_in_plan,
    is_quorate,
    plan_continues,
    participation
from reviews_timed
