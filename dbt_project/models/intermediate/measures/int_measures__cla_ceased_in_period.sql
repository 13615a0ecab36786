-- cla_ceased_in_period (measures.md §3): periods of care that ended in the period (an X1
-- episode end is not an end: int_periods_of_care), by the REC code of the last episode.
-- A child on short breaks on the last day looked after (the day before the end) is not
-- counted as looked after (measures.md §2).
with

periods_of_care as (

    select * from {{ ref('int_periods_of_care') }}
    where period_of_care_end is not null

),

legal_statuses as (

    select * from {{ ref('int_legal_status_spells') }}

),

population as (

    select
        in_period.la_code,
        in_period.period_type,
        in_period.period_label,
        coalesce(in_period.ceased_reason, 'Not known') as reason
    from ({{ events_in_periods('periods_of_care', 'period_of_care_end') | indent(4) }}) as in_period
    {{ join_spell_in_force('legal_statuses', 'legal_statuses', 'in_period', 'in_period.period_of_care_end - 1')
       | indent(4) }}
    where not coalesce(legal_statuses.is_short_break, false)

),

cells as (

    {{ measure_counts('cla_ceased_in_period', 'population', [
        {'name': 'reason', 'values': none},
    ]) | indent(4) }}

)

select * from cells
