-- cla_reviews_late_in_period (measures.md §3): reviews held in the period after their due
-- date (a review without one is not late: is_on_time NULL).
with

reviews as (

    select * from {{ ref('int_cla_reviews') }}
    where is_held and not is_short_break and not is_on_time

),

population as (

    select la_code, period_type, period_label
    from ({{ events_in_periods('reviews', 'review_date') | indent(4) }}) as in_period

),

cells as (

    {{ measure_counts('cla_reviews_late_in_period', 'population', []) | indent(4) }}

)

select * from cells
