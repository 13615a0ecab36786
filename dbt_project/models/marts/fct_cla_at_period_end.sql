-- The looked-after snapshot at every period end (int_cla_at_period_end), pseudonymised for BI:
-- who was looked after on the period end, short breaks (V3/V4) marked, with the legal
-- status, placement and IRO in force on that date.
select
    la_code,
    period_type,
    period_label,
    period_end as period_end_date,
    as_at_date,
    {{ pseudonym('la_code', 'person_id') }} as child_key,
    {{ pseudonym('la_code', 'cla_id', 'period_of_care') }} as period_of_care_key,
    {{ birth_safe_date('f.period_of_care_start') }} as period_of_care_start_date,
    {{ dimension_member('legal_status', 'legal_status') }} as legal_status,
    is_short_break,
    age_band,
    {{ dimension_member('sex', 'sex') }} as sex,
    ethnicity_group,
    {{ dimension_member('placement_type', 'placement_type') }} as placement_type,
    {{ dimension_member('placement_provider', 'placement_provider') }} as placement_provider,
    placement_distance,
    {{ pseudonym('la_code', 'iro_professional_id') }} as iro_key,
    has_care_plan,
    is_looked_after_long_enough_for_care_plan,
    is_looked_after_long_enough_for_health,
    is_looked_after_long_enough_for_pep
from {{ ref('int_cla_at_period_end') }} as f
{{ join_birth_dates('f', 'person_id') }}
