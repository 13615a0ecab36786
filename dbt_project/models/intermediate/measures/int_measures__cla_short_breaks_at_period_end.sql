-- cla_short_breaks_at_period_end (measures.md §3): children looked after at period end
-- under a short-break legal status (V3/V4, var short_break_legal_statuses), by age band.
with

children as (

    select * from {{ ref('int_cla_at_period_end') }}
    where is_short_break

),

population as (

    select la_code, period_type, period_label, age_band
    from children

),

cells as (

    {{ measure_counts('cla_short_breaks_at_period_end', 'population', [
        {'name': 'age_band', 'values': age_band_breakdown_values()},
    ]) | indent(4) }}

)

select * from cells
