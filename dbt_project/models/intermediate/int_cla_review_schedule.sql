-- When each period of care's next review is due, as it stands on any date: one row per
-- period of care x step, in force from valid_from (the period's start, then each review
-- held) until valid_to (the next review held; NULL after the last). On a date D the
-- step in force (valid_from <= D and (valid_to null or valid_to > D)) says when the next
-- review is due; it is overdue on D when due before D (it has not been held by then, or
-- a later step would be in force).
-- Before the first review held, the next review is due when that review was due (its
-- computed due date, int_cla_reviews); with no review held at all, 20 working days after
-- the start, or, for a period that began before the window, no later than 6 months
-- after the day before the window start (the last review it can have had).
with

periods_of_care as (

    select la_code, cla_id, person_id, period_of_care_start, period_of_care_end, window_start,
        began_before_window, first_review_due_date
    from {{ ref('int_periods_of_care') }}

),

held as (

    select
        la_code, cla_id, review_id, review_date, review_in_window, due_date, next_review_due_date,
        lead(review_date) over (partition by la_code, cla_id order by review_in_window) as next_review_date
    from {{ ref('int_cla_reviews') }}
    -- the reg 33 series: held, and not on short breaks
    where review_in_window is not null

),

before_first_review as (

    select
        periods_of_care.la_code,
        periods_of_care.cla_id,
        periods_of_care.person_id,
        0 as step,
        periods_of_care.period_of_care_start as valid_from,
        first_review.review_date as valid_to,
        case
            when first_review.review_id is not null then first_review.due_date
            when periods_of_care.began_before_window then greatest(
                periods_of_care.first_review_due_date,
                {{ add_months('periods_of_care.window_start - 1', var('cla_review_later_months')) }}
            )
            else periods_of_care.first_review_due_date
        end as next_review_due_date,
        periods_of_care.period_of_care_end
    from periods_of_care
    left join held as first_review
        on first_review.la_code = periods_of_care.la_code
        and first_review.cla_id = periods_of_care.cla_id
        and first_review.review_in_window = 1

),

after_each_review as (

    select
        held.la_code,
        held.cla_id,
        periods_of_care.person_id,
        held.review_in_window as step,
        held.review_date as valid_from,
        held.next_review_date as valid_to,
        held.next_review_due_date,
        periods_of_care.period_of_care_end
    from held
    inner join periods_of_care
        on periods_of_care.la_code = held.la_code
        and periods_of_care.cla_id = held.cla_id

)

select la_code, cla_id, person_id, cast(step as integer) as step, valid_from, valid_to,
    next_review_due_date, period_of_care_end
from before_first_review
union all
select la_code, cla_id, person_id, cast(step as integer) as step, valid_from, valid_to,
    next_review_due_date, period_of_care_end
from after_each_review
