-- cla_reviews_without_due_date_in_period (measures.md §3, added measure): reviews held in
-- the period with neither a computed nor a recorded due date (int_cla_reviews.due_date
-- NULL), e.g. the first review in the window of a period of care begun before it when the
-- case system recorded no due date. Held, neither on time nor late: with
-- cla_reviews_on_time_in_period's numerator and cla_reviews_late_in_period they add up to
-- cla_reviews_in_period.
with

reviews as (

    select * from {{ ref('int_cla_reviews') }}
    where is_held and not is_short_break and due_date is null

),

population as (

    select la_code, period_type, period_label
    from ({{ events_in_periods('reviews', 'review_date') | indent(4) }}) as in_period

),

cells as (

    {{ measure_counts('cla_reviews_without_due_date_in_period', 'population', []) | indent(4) }}

)

select * from cells
