-- Annual reviews of foster carer households (loc_foster_carer_reviews) with their due
-- dates computed by the pipeline (Fostering Services (England) Regulations 2011, reg
-- 28(2): approval reviewed at intervals of not more than a year; var
-- foster_carer_review_months): each review is due 12 months after the household's
-- previous review held, so a late review resets the clock. The household's first review
-- in the extract (its approval, or earlier reviews, are not in it) is due on the case
-- system's recorded due date.
with

reviews as (

    select
        la_code,
        fcar_review_id as review_id,
        fcar_household_id as household_id,
        fcar_professional_id as professional_id,
        fcar_review_due_date as recorded_due_date,
        fcar_review_date as review_date,
        coalesce(fcar_first_review = 'Y', false) as is_first_review,
        fcar_outcome as outcome
    from {{ ref('stg_loc__foster_carer_reviews') }}

),

held as (

    select
        la_code,
        review_id,
        -- A review with no household has no previous review (measures.md §2: missing links
        -- never join); the join to last_held below never matches an empty household either.
        lag(review_date) over (
            partition by la_code, {{ link_key('household_id', 'review_id') }}
            order by {{ earlier_date_then_lower_id('review_date', 'review_id') }}
        ) as previous_review_date
    from reviews
    where review_date is not null

),

last_held as (

    select la_code, household_id, max(review_date) as last_review_date
    from reviews
    where review_date is not null
    group by la_code, household_id

),

with_previous as (

    -- The previous review held: for a review not yet held, the household's last one.
    select
        reviews.*,
        case
            when reviews.review_date is not null then held.previous_review_date
            else last_held.last_review_date
        end as previous_review_date
    from reviews
    left join held
        on held.la_code = reviews.la_code
        and held.review_id = reviews.review_id
    left join last_held
        on last_held.la_code = reviews.la_code
        and last_held.household_id = reviews.household_id

),

due as (

    select
        *,
        case when previous_review_date is null then 'recorded' else 'annual' end as due_rule,
        coalesce(
            {{ add_months('previous_review_date', var('foster_carer_review_months')) }},
            recorded_due_date
        ) as due_date
    from with_previous

)

select
    la_code,
    review_id,
    household_id,
    professional_id,
    review_date,
    review_date is not null as is_held,
    is_first_review,
    outcome,
    previous_review_date,
    due_rule,
    due_date,
    recorded_due_date,
    review_date <= due_date as is_on_time
from due
