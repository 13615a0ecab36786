-- cla_reviews_on_time_in_period (measures.md §3): of the reviews held in the period
-- (cla_reviews_in_period), those held on or before their computed due date.
with

reviews as (

    select * from {{ ref('int_cla_reviews') }}
    where is_held and not is_short_break

),

population as (

    select la_code, period_type, period_label, coalesce(is_on_time, false) as in_numerator
    from ({{ events_in_periods('reviews', 'review_date') | indent(4) }}) as in_period

),

cells as (

    {{ measure_percentages('cla_reviews_on_time_in_period', 'population') | indent(4) }}

)

select * from cells
