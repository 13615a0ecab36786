-- iro_escalations_in_period (measures.md §3): escalations raised in the period, one row
-- per escalation, by the highest stage reached and the issue.
{%- set code_sets = contract_code_sets() %}
{%- set stages = code_sets['escalation_stage']['codes'] %}
{%- set issues = code_sets['escalation_issue_category']['codes'] %}

with

escalations as (

    select * from {{ ref('int_iro_escalations') }}

),

population as (

    select
        la_code,
        period_type,
        period_label,
        {{ code_or_not_known('stage', stages) }} as stage,
        {{ code_or_not_known('issue_category', issues) }} as issue_category
    from ({{ events_in_periods('escalations', 'raised_date') | indent(4) }}) as in_period

),

cells as (

    {{ measure_counts('iro_escalations_in_period', 'population', [
        {'name': 'stage', 'values': stages + ['Not known']},
        {'name': 'issue_category', 'values': issues + ['Not known']},
    ]) | indent(4) }}

)

select * from cells
