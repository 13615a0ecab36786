-- IRO practice alerts and escalations (int_iro_escalations), pseudonymised for BI.
select
    la_code,
    {{ pseudonym('la_code', 'escalation_id', 'iro_escalation') }} as escalation_key,
    {{ pseudonym('la_code', 'person_id') }} as child_key,
    {{ pseudonym('la_code', 'professional_id') }} as iro_key,
    raised_date,
    stage,
    issue_category,
    resolved_date,
    resolution,
    is_open,
    days_to_resolution
from {{ ref('int_iro_escalations') }}
