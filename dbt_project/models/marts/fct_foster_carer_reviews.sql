-- Annual reviews of foster carer households (int_foster_carer_reviews), pseudonymised for
-- BI: computed due date (12 months after the previous review held) beside the recorded one.
select
    la_code,
    {{ pseudonym('la_code', 'review_id', 'foster_carer_review') }} as review_key,
    {{ pseudonym('la_code', 'household_id', 'foster_household') }} as household_key,
    {{ pseudonym('la_code', 'professional_id') }} as reviewing_officer_key,
    review_date,
    is_held,
    is_first_review,
    {{ dimension_member('outcome', 'foster_carer_review_outcome') }} as foster_carer_review_outcome,
    previous_review_date,
    due_rule,
    due_date,
    recorded_due_date,
    is_on_time,
    {{ days_late('review_date', 'due_date') }} as days_late
from {{ ref('int_foster_carer_reviews') }}
