-- cla_started_in_period (measures.md §3): periods of care that started in the period; a
-- child on short breaks (legal status V3/V4 on the start date) is not counted as looked
-- after (measures.md §2).
with

periods_of_care as (

    select * from {{ ref('int_periods_of_care') }}

),

legal_statuses as (

    select * from {{ ref('int_legal_status_spells') }}

),

population as (

    select in_period.la_code, in_period.period_type, in_period.period_label
    from ({{ events_in_periods('periods_of_care', 'period_of_care_start') | indent(4) }}) as in_period
    {{ join_spell_in_force('legal_statuses', 'legal_statuses', 'in_period', 'in_period.period_of_care_start')
       | indent(4) }}
    where not coalesce(legal_statuses.is_short_break, false)

),

cells as (

    {{ measure_counts('cla_started_in_period', 'population', []) | indent(4) }}

)

select * from cells
