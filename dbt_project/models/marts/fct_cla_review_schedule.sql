-- When each period of care's next review is due, at any date (int_cla_review_schedule),
-- pseudonymised for BI: on a date D the step with valid_from_date <= D and (valid_to_date null
-- or valid_to_date > D) gives the next review's due date; before D and the child still looked
-- after means overdue and not yet held.
select
    la_code,
    {{ pseudonym('la_code', 'cla_id', 'period_of_care') }} as period_of_care_key,
    {{ pseudonym('la_code', 'person_id') }} as child_key,
    step,
    {{ birth_safe_date('f.valid_from') }} as valid_from_date,
    {{ birth_safe_date('f.valid_to') }} as valid_to_date,
    {{ birth_safe_date('f.next_review_due_date') }} as next_review_due_date,
    {{ birth_safe_date('f.period_of_care_end') }} as period_of_care_end_date
from {{ ref('int_cla_review_schedule') }} as f
{{ join_birth_dates('f', 'person_id') }}
