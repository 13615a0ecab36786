-- Every published measure is in the catalogue (measure_catalogue, rendered from
-- measures.py), with the catalogue's unit, only the breakdowns the catalogue lists, and a
-- total row for every council and period; every catalogued measure is published.
-- Returns the measures that break this.
with

measures as (

    select * from {{ ref('performance_measures') }}

),

catalogue as (

    select measure_id, published_unit, string_to_array(breakdowns, ' ') as breakdowns
    from {{ ref('measure_catalogue') }}

),

periods as (

    select la_code, period_type, period_label from {{ ref('int_reporting_periods') }}

),

wrong_rows as (

    select distinct measures.measure_id
    from measures
    left join catalogue using (measure_id)
    where catalogue.measure_id is null
        or measures.unit <> catalogue.published_unit
        or not measures.breakdown = any(catalogue.breakdowns)

),

missing_totals as (

    select distinct catalogue.measure_id
    from catalogue
    cross join periods
    left join measures
        on measures.measure_id = catalogue.measure_id
        and measures.la_code = periods.la_code
        and measures.period_type = periods.period_type
        and measures.period_label = periods.period_label
        and measures.breakdown = 'total'
    where measures.measure_id is null

)

select measure_id from wrong_rows
union
select measure_id from missing_totals
