-- lado_concluded_within_12_months_in_period (measures.md §3): of the allegations
-- concluded in the period (lado_concluded_in_period), those whose outcome came within twelve
-- calendar months of referral (var lado_conclusion_months).
{%- set months = 12 %}
{%- if months not in var('lado_conclusion_months') %}
    {{ exceptions.raise_compiler_error("var lado_conclusion_months must include " ~ months) }}
{%- endif %}

with

allegations as (

    select * from {{ ref('int_lado_allegations') }}

),

population as (

    select la_code, period_type, period_label, is_concluded_within_12_months as in_numerator
    from ({{ events_in_periods('allegations', 'outcome_date') | indent(4) }}) as in_period

),

cells as (

    {{ measure_percentages('lado_concluded_within_12_months_in_period', 'population') | indent(4) }}

)

select * from cells
