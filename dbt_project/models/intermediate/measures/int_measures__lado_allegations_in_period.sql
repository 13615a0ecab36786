-- lado_allegations_in_period (measures.md §3): allegations referred in the period, by
-- referral source, employment sector, harm category and whether the harm threshold was met.
{%- set code_sets = contract_code_sets() %}
{%- set sources = code_sets['lado_referral_source']['codes'] %}
{%- set sectors = code_sets['lado_employment_sector']['codes'] %}
{%- set harms = code_sets['lado_harm_category']['codes'] %}

with

allegations as (

    select * from {{ ref('int_lado_allegations') }}

),

population as (

    select
        la_code,
        period_type,
        period_label,
        {{ code_or_not_known('referral_source', sources) }} as referral_source,
        {{ code_or_not_known('employment_sector', sectors) }} as employment_sector,
        {{ code_or_not_known('harm_category', harms) }} as harm_category,
        coalesce(threshold_met, 'Not known') as threshold_met
    from ({{ events_in_periods('allegations', 'referral_date') | indent(4) }}) as in_period

),

cells as (

    {{ measure_counts('lado_allegations_in_period', 'population', [
        {'name': 'referral_source', 'values': sources + ['Not known']},
        {'name': 'employment_sector', 'values': sectors + ['Not known']},
        {'name': 'harm_category', 'values': harms + ['Not known']},
        {'name': 'threshold_met', 'values': ['Y', 'N', 'Not known']},
    ]) | indent(4) }}

)

select * from cells
