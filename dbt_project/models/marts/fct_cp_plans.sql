-- Child protection plans (int_cp_plans), pseudonymised for BI: initial and latest
-- category, duration, repeat plans, age band at the start.
select
    la_code,
    {{ pseudonym('la_code', 'cp_plan_id', 'cp_plan') }} as cp_plan_key,
    {{ pseudonym('la_code', 'person_id') }} as child_key,
    {{ birth_safe_date('f.initial_conference_date') }} as initial_conference_date,
    began_with_transfer_in,
    {{ birth_safe_date('f.plan_start') }} as plan_start_date,
    {{ birth_safe_date('f.plan_end') }} as plan_end_date,
    is_open,
    {{ unless_birth_date('f.duration_days', ['f.plan_start', 'f.plan_end']) }} as duration_days,
    {{ dimension_member('initial_category', 'category') }} as initial_category,
    {{ dimension_member('latest_category', 'category') }} as latest_category,
    is_from_other_authority,
    plan_number,
    is_repeat,
    began_before_window,
    age_band_at_start
from {{ ref('int_cp_plans') }} as f
{{ join_birth_dates('f', 'person_id') }}
