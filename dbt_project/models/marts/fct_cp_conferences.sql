-- Child protection conferences (int_cp_conferences), pseudonymised for BI: initial
-- conferences with working days from the s47 start and the 15-working-day test
-- (transfer-ins marked), review conferences with their due dates.
select
    la_code,
    conference_type,
    {{ pseudonym('la_code', "conference_type || '_conference:' || conference_id") }} as conference_key,
    {{ pseudonym('la_code', 'person_id') }} as child_key,
    {{ pseudonym('la_code', 'cp_plan_id', 'cp_plan') }} as cp_plan_key,
    {{ pseudonym('la_code', 'meeting_id', 'cp_meeting') }} as meeting_key,
    {{ birth_safe_date('f.conference_date') }} as conference_date,
    is_transfer_in,
    {{ birth_safe_date('f.s47_start_date') }} as s47_start_date,
    {{ unless_birth_date('f.working_days_from_s47', ['f.s47_start_date', 'f.conference_date']) }} as working_days_from_s47,
    review_in_plan,
    due_rule,
    {{ birth_safe_date('f.due_date') }} as due_date,
    {{ birth_safe_date('f.recorded_due_date') }} as recorded_due_date,
    is_on_time,
    {{ unless_birth_date(days_late('f.conference_date', 'f.due_date'), ['f.conference_date', 'f.due_date']) }} as days_late,
    resulted_in_plan,
    is_quorate,
    plan_continues,
    {{ dimension_member('participation', 'participation') }} as participation
from {{ ref('int_cp_conferences') }} as f
{{ join_birth_dates('f', 'person_id') }}
