-- cp_plans_started_in_period (measures.md §3): plans that started in the period, by
-- initial category.
{%- set categories = contract_code_sets()['cp_category']['codes'] %}

with

plans as (

    select * from {{ ref('int_cp_plans') }}

),

population as (

    select
        la_code,
        period_type,
        period_label,
        {{ code_or_not_known('initial_category', categories) }} as category
    from ({{ events_in_periods('plans', 'plan_start') | indent(4) }}) as in_period

),

cells as (

    {{ measure_counts('cp_plans_started_in_period', 'population', [
        {'name': 'category', 'values': categories + ['Not known']},
    ]) | indent(4) }}

)

select * from cells
