-- cla_reviews_on_time_in_period (measures.md §3): of the reviews held in the period that
-- have a due date (computed, or recorded where the rule says so: int_cla_reviews), those
-- held on or before it. A review with neither is held but neither on time nor late: it
-- is outside the denominator and counted in cla_reviews_without_due_date_in_period.
with

reviews as (

    select * from {{ ref('int_cla_reviews') }}
    where is_held and not is_short_break and due_date is not null

),

population as (

    select la_code, period_type, period_label, is_on_time as in_numerator
    from ({{ events_in_periods('reviews', 'review_date') | indent(4) }}) as in_period

),

cells as (

    {{ measure_percentages('cla_reviews_on_time_in_period', 'population') | indent(4) }}

)

select * from cells
