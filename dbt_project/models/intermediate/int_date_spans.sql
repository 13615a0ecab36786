-- Per council, the earliest and latest date its extract holds (dates of birth left out: the span
-- never gives one away), with its window start and extract date: what dim_date must span. Kept
-- per council so that dim_date, which spans every council, reads one row per council rather than
-- every date column of every extract each night.
with

extract_dates as (

    select la_code, window_start as first_day, extract_date as last_day
    from {{ ref('stg_audit__current_extracts') }}
    {%- for model, columns in contract_date_columns().items() %}
    {%- for column in columns %}
    union all
    select la_code, min({{ column }}), max({{ column }}) from {{ ref(model) }} group by la_code
    {%- endfor %}
    {%- endfor %}

)

select la_code, min(first_day) as first_day, max(last_day) as last_day
from extract_dates
group by la_code
