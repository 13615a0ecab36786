-- cla_review_due_date_mismatch (measures.md §3, data quality): reviews held in the period
-- whose recorded due date differs from the computed one.
with

reviews as (

    select * from {{ ref('int_cla_reviews') }}
    where is_held and not is_short_break and is_due_date_mismatch

),

population as (

    select la_code, period_type, period_label
    from ({{ events_in_periods('reviews', 'review_date') | indent(4) }}) as in_period

),

cells as (

    {{ measure_counts('cla_review_due_date_mismatch', 'population', []) | indent(4) }}

)

select * from cells
