-- IRO practice alerts and escalations (int_iro_escalations), pseudonymised for BI.
select
    la_code,
    {{ pseudonym('la_code', 'escalation_id', 'iro_escalation') }} as escalation_key,
    {{ pseudonym('la_code', 'person_id') }} as child_key,
    {{ pseudonym('la_code', 'professional_id') }} as iro_key,
    {{ birth_safe_date('f.raised_date') }} as raised_date,
    {{ dimension_member('stage', 'stage') }} as stage,
    {{ dimension_member('issue_category', 'issue_category') }} as issue_category,
    {{ birth_safe_date('f.resolved_date') }} as resolved_date,
    {{ dimension_member('resolution', 'resolution') }} as resolution,
    is_open,
    {{ unless_birth_date('f.days_to_resolution', ['f.raised_date', 'f.resolved_date']) }} as days_to_resolution
from {{ ref('int_iro_escalations') }} as f
{{ join_birth_dates('f', 'person_id') }}
