-- cla_reviews_in_period (measures.md §3): reviews held in the period (cancelled reviews
-- are not held), by participation; reviews of a child on short breaks (V3/V4 on the
-- review date) are outside, as the child is not counted as looked after.
{%- set participation_codes = contract_code_sets()['participation']['codes'] %}

with

reviews as (

    select * from {{ ref('int_cla_reviews') }}
    where is_held and not is_short_break

),

population as (

    select
        la_code,
        period_type,
        period_label,
        {{ code_or_not_known('participation', participation_codes) }} as participation
    from ({{ events_in_periods('reviews', 'review_date') | indent(4) }}) as in_period

),

cells as (

    {{ measure_counts('cla_reviews_in_period', 'population', [
        {'name': 'participation', 'values': participation_codes + ['Not known']},
    ]) | indent(4) }}

)

select * from cells
