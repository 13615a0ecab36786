-- Adoptions (int_adoptions: episodes ceased E11/E12), pseudonymised for BI: the adoption
-- order's date, age on it, time from entering care, and the adoption decisions.
select
    la_code,
    {{ pseudonym('la_code', 'cla_episode_id', 'cla_episode') }} as adoption_key,
    {{ pseudonym('la_code', 'person_id') }} as child_key,
    {{ pseudonym('la_code', 'cla_id', 'period_of_care') }} as period_of_care_key,
    {{ birth_safe_date('f.adoption_date') }} as adoption_date,
    {{ dimension_member('ceased_reason', 'reason') }} as reason,
    age_years,
    age_band,
    {{ birth_safe_date('f.period_of_care_start') }} as period_of_care_start_date,
    {{ unless_birth_date('f.days_from_entering_care', ['f.period_of_care_start', 'f.adoption_date']) }} as days_from_entering_care,
    {{ birth_safe_date('f.adm_decision_date') }} as adm_decision_date,
    {{ birth_safe_date('f.placement_order_date') }} as placement_order_date,
    {{ birth_safe_date('f.placed_for_adoption_date') }} as placed_for_adoption_date,
    {{ birth_safe_date('f.matched_date') }} as matched_date
from {{ ref('int_adoptions') }} as f
{{ join_birth_dates('f', 'person_id') }}
