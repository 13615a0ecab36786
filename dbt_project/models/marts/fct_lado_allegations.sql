-- Allegations referred to the LADO (int_lado_allegations), pseudonymised for BI: referral
-- to outcome in days and calendar months, within 1/3/12 months. The person the allegation
-- is about is never here.
select
    la_code,
    {{ pseudonym('la_code', 'allegation_id', 'lado_allegation') }} as allegation_key,
    {{ pseudonym('la_code', 'child_person_id') }} as child_key,
    {{ birth_safe_date('f.referral_date') }} as referral_date,
    {{ dimension_member('threshold_met', 'threshold_met') }} as threshold_met,
    {{ dimension_member('referral_source', 'referral_source') }} as referral_source,
    {{ dimension_member('employment_sector', 'employment_sector') }} as employment_sector,
    {{ dimension_member('harm_category', 'harm_category') }} as harm_category,
    {{ birth_safe_date('f.strategy_meeting_date') }} as strategy_meeting_date,
    police_involved,
    {{ dimension_member('outcome', 'outcome') }} as outcome,
    {{ birth_safe_date('f.outcome_date') }} as outcome_date,
    is_open,
    {{ unless_birth_date('f.days_to_outcome', ['f.referral_date', 'f.outcome_date']) }} as days_to_outcome,
    {{ unless_birth_date('f.months_to_outcome', ['f.referral_date', 'f.outcome_date']) }} as months_to_outcome
    {%- for months in var('lado_conclusion_months') %},
    is_concluded_{{ lado_within(months) }}
    {%- endfor %}
from {{ ref('int_lado_allegations') }} as f
{{ join_birth_dates('f', 'child_person_id') }}
