-- When each period of care's next review is due, at any date (int_cla_review_schedule),
-- pseudonymised for BI: on a date D the step with valid_from <= D and (valid_to null or
-- valid_to > D) gives the next review's due date; before D and the child still looked
-- after means overdue and not yet held.
select
    la_code,
    {{ pseudonym('la_code', 'cla_id', 'period_of_care') }} as period_of_care_key,
    {{ pseudonym('la_code', 'person_id') }} as child_key,
    step,
    valid_from,
    valid_to,
    next_review_due_date,
    period_of_care_end
from {{ ref('int_cla_review_schedule') }}
