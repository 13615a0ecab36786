-- adoptions_in_period (measures.md §3): episodes ceased with reason E11 or E12 in the
-- period (their ceased date is the adoption order's date), by age on that date: band and
-- single years (an open set: the ages seen).
with

adoptions as (

    select * from {{ ref('int_adoptions') }}

),

population as (

    select
        la_code,
        period_type,
        period_label,
        age_band,
        coalesce(age_years::text, 'Not known') as age_years
    from ({{ events_in_periods('adoptions', 'adoption_date') | indent(4) }}) as in_period

),

cells as (

    {{ measure_counts('adoptions_in_period', 'population', [
        {'name': 'age_band', 'values': age_band_breakdown_values()},
        {'name': 'age_years', 'values': none},
    ]) | indent(4) }}

)

select * from cells
