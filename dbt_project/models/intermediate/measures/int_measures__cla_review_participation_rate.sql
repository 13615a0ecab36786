-- cla_review_participation_rate (measures.md §3): reviews held in the period coded
-- PN1–PN6 (var review_participated_codes) over those coded PN1–PN7; PN0 (children
-- under 4: var review_participation_excluded_codes) and uncoded reviews are outside.
{%- set participation_codes = contract_code_sets()['participation']['codes'] %}
{%- set rated_codes = [] %}
{%- for code in participation_codes %}
    {%- if code not in var('review_participation_excluded_codes') %}{% do rated_codes.append(code) %}{% endif %}
{%- endfor %}

with

reviews as (

    select * from {{ ref('int_cla_reviews') }}
    where is_held and not is_short_break
        and participation in {{ sql_list(rated_codes) }}

),

population as (

    select
        la_code,
        period_type,
        period_label,
        participation in {{ sql_list(var('review_participated_codes')) }} as in_numerator
    from ({{ events_in_periods('reviews', 'review_date') | indent(4) }}) as in_period

),

cells as (

    {{ measure_percentages('cla_review_participation_rate', 'population') | indent(4) }}

)

select * from cells
