-- Breakdowns add up to the total row (measures.md §1), for each authority x period x
-- measure x breakdown, except measures the catalogue marks as not additive
-- (iro_caseload_at_period_end counts children in its total, not involvements).
-- For percentages, numerators and denominators add up.
with

measures as (

    select * from {{ ref('performance_measures') }}

),

additive as (

    select measure_id
    from {{ ref('measure_catalogue') }}
    where breakdowns_sum_to_total

),

totals as (

    select
        la_code, period_type, period_label, measure_id,
        coalesce(numerator, value) as total_count,
        denominator as total_denominator
    from measures
    where breakdown = 'total'

),

sums as (

    select
        la_code, period_type, period_label, measure_id, breakdown,
        sum(coalesce(numerator, value)) as summed_count,
        sum(denominator) as summed_denominator
    from measures
    where breakdown <> 'total'
    group by 1, 2, 3, 4, 5

)

select sums.la_code, sums.period_type, sums.period_label, sums.measure_id, sums.breakdown
from sums
inner join additive using (measure_id)
left join totals using (la_code, period_type, period_label, measure_id)
where sums.summed_count is distinct from totals.total_count
    or sums.summed_denominator is distinct from totals.total_denominator
