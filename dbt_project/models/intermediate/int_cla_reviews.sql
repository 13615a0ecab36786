-- Reviews of children looked after with their due dates computed by the pipeline
-- (measures.md §3; Care Planning, Placement and Case Review (England) Regulations 2010,
-- reg 33: vars cla_review_*):
--   the first review of a period of care is due 20 working days after its start
--   (int_periods_of_care.first_review_due_date);
--   the second 3 calendar months after the first review held;
--   later ones 6 calendar months after the previous review held.
-- Every due date counts from the previous review's actual date, so a late review resets
-- the clock. Cancelled reviews, and reviews without a date, are not held: they are kept
-- (one row per review) but take no part in the schedule; nor do reviews held while the
-- child's legal status is V3/V4 (short breaks: reg 48 reviews, measures.md §2).
-- A period of care that began before the drop's window start may have lost its earlier
-- reviews: its first review in the window is due on the case system's recorded due date
-- (none recorded: no due date), and is taken as the period's first review only when that
-- due date falls before the second review could have been due (3 months after the start).
-- A review with no period of care (clar_cla_id empty) stands alone (measures.md §2:
-- missing links never join): no computed due date, so its recorded one applies.
with

periods_of_care as (

    select la_code, cla_id, person_id, period_of_care_start, began_before_window, first_review_due_date
    from {{ ref('int_periods_of_care') }}

),

legal_statuses as (

    select la_code, person_id, is_short_break, valid_from, valid_to
    from {{ ref('int_legal_status_spells') }}

),

linked as (

    select
        reviews.la_code,
        reviews.clar_cla_review_id as review_id,
        reviews.clar_cla_id as cla_id,
        coalesce(reviews.clar_cla_person_id, periods_of_care.person_id) as person_id,
        periods_of_care.cla_id is not null as has_period_of_care,
        periods_of_care.period_of_care_start,
        coalesce(periods_of_care.began_before_window, false) as began_before_window,
        periods_of_care.first_review_due_date,
        reviews.clar_cla_review_date as review_date,
        reviews.clar_cla_review_due_date as recorded_due_date,
        coalesce(reviews.clar_cla_review_cancelled = 'Y', false) as is_cancelled,
        reviews.clar_cla_review_participation as participation
    from {{ ref('stg_ssd__cla_reviews') }} as reviews
    left join periods_of_care
        on periods_of_care.la_code = reviews.la_code
        and periods_of_care.cla_id = reviews.clar_cla_id

),

-- The legal status on the review date: a review held on short breaks (V3/V4) is a reg 48
-- review, outside the reg 33 schedule and measures (measures.md §2).
reviews as (

    select
        linked.*,
        coalesce(legal_statuses.is_short_break, false) as is_short_break
    from linked
    {{ join_spell_in_force('legal_statuses', 'legal_statuses', 'linked', 'linked.review_date') | indent(4) }}

),

held as (

    select
        *,
        row_number() over period_reviews as review_in_window
    from reviews
    where not is_cancelled and review_date is not null and not is_short_break
    window period_reviews as (
        partition by la_code, {{ link_key('cla_id', 'review_id') }}
        order by {{ earlier_date_then_lower_id('review_date', 'review_id') }}
    )

),

first_of_period as (

    select
        *,
        review_in_window = 1
            and has_period_of_care
            and (
                not began_before_window
                or coalesce(recorded_due_date, review_date)
                    < {{ add_months('period_of_care_start', var('cla_review_second_months')) }}
            ) as is_first_of_period
    from held

),

-- When the next review is due, counted from this review's actual date: 3 months after
-- the period's first review, 6 months after any other.
next_due as (

    select
        *,
        case
            when is_first_of_period then {{ add_months('review_date', var('cla_review_second_months')) }}
            else {{ add_months('review_date', var('cla_review_later_months')) }}
        end as next_review_due_date
    from first_of_period

),

due as (

    select
        *,
        {{ review_due('review_in_window', '(began_before_window or not has_period_of_care)', 'recorded_due_date',
                      'first_review_due_date', [
            ['second', 'lag(is_first_of_period) over period_reviews', 'lag(next_review_due_date) over period_reviews'],
            ['later', 'review_in_window > 1', 'lag(next_review_due_date) over period_reviews'],
        ]) | indent(8) }}
    from next_due
    window period_reviews as (partition by la_code, {{ link_key('cla_id', 'review_id') }} order by review_in_window)

)

select
    reviews.la_code,
    reviews.review_id,
    reviews.cla_id,
    reviews.person_id,
    reviews.period_of_care_start,
    reviews.began_before_window,
    reviews.review_date,
    reviews.is_cancelled,
    not reviews.is_cancelled and reviews.review_date is not null as is_held,
    cast(due.review_in_window as integer) as review_in_window,
    coalesce(due.is_first_of_period, false) as is_first_of_period,
    due.due_rule,
    due.due_date,
    reviews.recorded_due_date,
    due.review_date <= due.due_date as is_on_time,
    {{ days_late('due.review_date', 'due.due_date') }} as days_late,
    due.due_date is not null and reviews.recorded_due_date is not null
        and reviews.recorded_due_date <> due.due_date as is_due_date_mismatch,
    due.next_review_due_date,
    reviews.participation,
    reviews.is_short_break
from reviews
left join due
    on due.la_code = reviews.la_code
    and due.review_id = reviews.review_id
