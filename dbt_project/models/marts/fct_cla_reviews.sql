-- Reviews of children looked after (int_cla_reviews), pseudonymised for BI: the computed
-- due date beside the case system's, on time, days late, participation.
select
    la_code,
    {{ pseudonym('la_code', 'review_id', 'cla_review') }} as review_key,
    {{ pseudonym('la_code', 'person_id') }} as child_key,
    {{ pseudonym('la_code', 'cla_id', 'period_of_care') }} as period_of_care_key,
    {{ birth_safe_date('f.period_of_care_start') }} as period_of_care_start_date,
    began_before_window,
    {{ birth_safe_date('f.review_date') }} as review_date,
    is_cancelled,
    is_held,
    review_in_window,
    is_first_of_period,
    due_rule,
    {{ birth_safe_date('f.due_date') }} as due_date,
    {{ birth_safe_date('f.recorded_due_date') }} as recorded_due_date,
    is_on_time,
    {{ unless_birth_date('f.days_late', ['f.review_date', 'f.due_date']) }} as days_late,
    is_due_date_mismatch,
    {{ birth_safe_date('f.next_review_due_date') }} as next_review_due_date,
    {{ dimension_member('participation', 'participation') }} as participation,
    is_short_break
from {{ ref('int_cla_reviews') }} as f
{{ join_birth_dates('f', 'person_id') }}
