-- foster_carer_reviews_in_period (measures.md §3): foster carer reviews held in the period.
with

reviews as (

    select * from {{ ref('int_foster_carer_reviews') }}
    where is_held

),

population as (

    select la_code, period_type, period_label
    from ({{ events_in_periods('reviews', 'review_date') | indent(4) }}) as in_period

),

cells as (

    {{ measure_counts('foster_carer_reviews_in_period', 'population', []) | indent(4) }}

)

select * from cells
