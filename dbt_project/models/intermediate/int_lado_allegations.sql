-- Allegations referred to the LADO: one row per allegation with the time from referral
-- to outcome in days and in completed calendar months, and whether the outcome came
-- within each timescale of var lado_conclusion_months (1, 3 and 12 calendar months:
-- Keeping Children Safe in Education, Part four). Open at a date D: referred on or
-- before D with no outcome by then (outcome_date null or after D).
select
    la_code,
    lado_allegation_id as allegation_id,
    lado_referral_date as referral_date,
    lado_threshold_met as threshold_met,
    lado_referral_source as referral_source,
    lado_employment_sector as employment_sector,
    lado_harm_category as harm_category,
    lado_strategy_meeting_date as strategy_meeting_date,
    lado_police_involved as police_involved,
    lado_outcome as outcome,
    lado_outcome_date as outcome_date,
    lado_child_person_id as child_person_id,
    lado_outcome_date is null as is_open,
    lado_outcome_date - lado_referral_date as days_to_outcome,
    {{ months_between('lado_referral_date', 'lado_outcome_date') }} as months_to_outcome
    {%- for months in var('lado_conclusion_months') %},
    lado_outcome_date <= {{ add_months('lado_referral_date', months) }}
        as is_concluded_{{ lado_within(months) }}
    {%- endfor %}
from {{ ref('stg_loc__lado_allegations') }}
