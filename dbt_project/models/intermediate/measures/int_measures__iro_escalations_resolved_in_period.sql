-- iro_escalations_resolved_in_period (measures.md §3): escalations resolved in the
-- period, by resolution.
{%- set resolutions = contract_code_sets()['escalation_resolution']['codes'] %}

with

escalations as (

    select * from {{ ref('int_iro_escalations') }}

),

population as (

    select
        la_code,
        period_type,
        period_label,
        {{ code_or_not_known('resolution', resolutions) }} as resolution
    from ({{ events_in_periods('escalations', 'resolved_date') | indent(4) }}) as in_period

),

cells as (

    {{ measure_counts('iro_escalations_resolved_in_period', 'population', [
        {'name': 'resolution', 'values': resolutions + ['Not known']},
    ]) | indent(4) }}

)

select * from cells
