-- IRO practice alerts and escalations (loc_iro_escalations): one row per escalation with
-- the highest stage it reached, its resolution and the days it took.
select
    la_code,
    esca_escalation_id as escalation_id,
    esca_person_id as person_id,
    esca_professional_id as professional_id,
    esca_raised_date as raised_date,
    esca_stage as stage,
    esca_issue_category as issue_category,
    esca_resolved_date as resolved_date,
    esca_resolution as resolution,
    esca_resolved_date is null as is_open,
    esca_resolved_date - esca_raised_date as days_to_resolution
from {{ ref('stg_loc__iro_escalations') }}
