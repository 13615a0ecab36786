-- lado_concluded_in_period (measures.md §3): allegations meeting the harm threshold
-- (lado_threshold_met Y) with an outcome dated in the period, by outcome; consultations that
-- did not meet it appear only in lado_allegations_in_period (Keeping Children Safe in
-- Education's timescales apply to allegations), as for lado_open_at_period_end.
{%- set outcomes = contract_code_sets()['lado_outcome']['codes'] %}

with

allegations as (

    select * from {{ ref('int_lado_allegations') }}
    where threshold_met = 'Y'

),

population as (

    select
        la_code,
        period_type,
        period_label,
        {{ code_or_not_known('outcome', outcomes) }} as outcome
    from ({{ events_in_periods('allegations', 'outcome_date') | indent(4) }}) as in_period

),

cells as (

    {{ measure_counts('lado_concluded_in_period', 'population', [
        {'name': 'outcome', 'values': outcomes + ['Not known']},
    ]) | indent(4) }}

)

select * from cells
