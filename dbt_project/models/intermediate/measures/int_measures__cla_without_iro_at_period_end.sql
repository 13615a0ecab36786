-- cla_without_iro_at_period_end (measures.md §3): children looked after at period end
-- (short breaks excluded) with no open IRO involvement on that date: no IRO in force on it
-- (int_cla_at_period_end.iro_professional_id, from int_iro_spells, which covers every day
-- an IRO involvement is open).
with

children as (

    select * from {{ ref('int_cla_at_period_end') }}
    where not is_short_break

),

population as (

    select la_code, period_type, period_label
    from children
    where iro_professional_id is null

),

cells as (

    {{ measure_counts('cla_without_iro_at_period_end', 'population', []) | indent(4) }}

)

select * from cells
