-- Child protection plans (int_cp_plans), pseudonymised for BI: initial and latest
-- category, duration, repeat plans, age band at the start.
select
    la_code,
    {{ pseudonym('la_code', 'cp_plan_id', 'cp_plan') }} as cp_plan_key,
    {{ pseudonym('la_code', 'person_id') }} as child_key,
    initial_conference_date,
    began_with_transfer_in,
    plan_start,
    plan_end,
    is_open,
    duration_days,
    initial_category,
    latest_category,
    is_from_other_authority,
    plan_number,
    is_repeat,
    began_before_window,
    age_band_at_start
from {{ ref('int_cp_plans') }}
