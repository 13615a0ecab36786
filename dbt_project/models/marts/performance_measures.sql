-- The published performance measures (measures.md §1): one row per authority x
-- period x measure x breakdown value. Columns, order and types are a public
-- interface (model contract enforced). breakdown_value_label: the value in plain words, from
-- the seed code_labels (the contract's code sets and breakdown labels); a band, an age, an
-- ethnicity group, a URN, the IRO's pseudonym or `Total` is its own label.
with

measures as (

    select * from {{ ref('int_measures_suppressed') }}

),

periods as (

    select * from {{ ref('int_reporting_periods') }}

),

extracts as (

    select * from {{ ref('stg_audit__current_extracts') }}

),

labels as (

    select * from {{ ref('code_labels') }}

)

select
    measures.la_code::text as la_code,
    extracts.la_name::text as la_name,
    measures.period_type::text as period_type,
    measures.period_label::text as period_label,
    periods.period_start::date as period_start,
    periods.period_end::date as period_end,
    periods.as_at_date::date as as_at_date,
    periods.is_complete::boolean as is_complete,
    measures.measure_id::text as measure_id,
    measures.breakdown::text as breakdown,
    measures.breakdown_value::text as breakdown_value,
    cast(measures.value as numeric(12, 1)) as value,
    cast(measures.numerator as numeric(12, 0)) as numerator,
    cast(measures.denominator as numeric(12, 0)) as denominator,
    measures.unit::text as unit,
    measures.published_value::text as published_value,
    extracts.extract_date::date as source_extract_date,
    now()::timestamptz as computed_at,
    coalesce(labels.label, measures.breakdown_value)::text as breakdown_value_label
from measures
inner join periods
    on periods.la_code = measures.la_code
    and periods.period_type = measures.period_type
    and periods.period_label = measures.period_label
inner join extracts
    on extracts.la_code = measures.la_code
left join labels
    on labels.dimension = measures.breakdown
    and labels.code = measures.breakdown_value
