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
    conference_date,
    is_transfer_in,
    s47_start_date,
    working_days_from_s47,
    review_in_plan,
    due_rule,
    due_date,
    recorded_due_date,
    is_on_time,
    {{ days_late('conference_date', 'due_date') }} as days_late,
    resulted_in_plan,
    is_quorate,
    plan_continues,
    participation
from {{ ref('int_cp_conferences') }}
