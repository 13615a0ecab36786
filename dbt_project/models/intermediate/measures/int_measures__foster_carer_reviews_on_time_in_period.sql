-- foster_carer_reviews_on_time_in_period (measures.md §3): of the foster carer reviews
-- held in the period that have a due date, those held on or before it (12 months after the
-- household's previous review: Fostering Services (England) Regulations 2011, reg 28; else
-- the recorded due date). A review with neither is outside the denominator.
with

reviews as (

    select * from {{ ref('int_foster_carer_reviews') }}
    where is_held and due_date is not null

),

population as (

    select la_code, period_type, period_label, is_on_time as in_numerator
    from ({{ events_in_periods('reviews', 'review_date') | indent(4) }}) as in_period

),

cells as (

    {{ measure_percentages('foster_carer_reviews_on_time_in_period', 'population') | indent(4) }}

)

select * from cells
