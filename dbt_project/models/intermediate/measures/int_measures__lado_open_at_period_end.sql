-- lado_open_at_period_end (measures.md §3): referrals meeting the harm threshold
-- (lado_threshold_met Y), referred on or before the period end, with no outcome by then.
with

allegations as (

    select * from {{ ref('int_lado_allegations') }}
    where threshold_met = 'Y'

),

population as (

    select la_code, period_type, period_label
    from ({{ records_at_period_ends('allegations', 'referral_date', 'outcome_date') | indent(4) }}) as open_allegations

),

cells as (

    {{ measure_counts('lado_open_at_period_end', 'population', []) | indent(4) }}

)

select * from cells
