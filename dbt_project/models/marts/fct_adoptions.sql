-- Adoptions (int_adoptions: episodes ceased E11/E12), pseudonymised for BI: the adoption
-- order's date, age on it, time from entering care, and the adoption decisions.
select
    la_code,
    {{ pseudonym('la_code', 'cla_episode_id', 'cla_episode') }} as adoption_key,
    {{ pseudonym('la_code', 'person_id') }} as child_key,
    {{ pseudonym('la_code', 'cla_id', 'period_of_care') }} as period_of_care_key,
    adoption_date,
    ceased_reason,
    age_years,
    age_band,
    period_of_care_start,
    days_from_entering_care,
    adm_decision_date,
    placement_order_date,
    placed_for_adoption_date,
    matched_date
from {{ ref('int_adoptions') }}
