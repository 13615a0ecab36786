-- Reviews of children looked after (int_cla_reviews), pseudonymised for BI: the computed
-- due date beside the case system's, on time, days late, participation.
select
    la_code,
    {{ pseudonym('la_code', 'review_id', 'cla_review') }} as review_key,
    {{ pseudonym('la_code', 'person_id') }} as child_key,
    {{ pseudonym('la_code', 'cla_id', 'period_of_care') }} as period_of_care_key,
    period_of_care_start,
    began_before_window,
    review_date,
    is_cancelled,
    is_held,
    review_in_window,
    is_first_of_period,
    due_rule,
    due_date,
    recorded_due_date,
    is_on_time,
    days_late,
    is_due_date_mismatch,
    next_review_due_date,
    participation,
    is_short_break
from {{ ref('int_cla_reviews') }}
