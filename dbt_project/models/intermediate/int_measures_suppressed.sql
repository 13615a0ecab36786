-- The measure cells with the value that may be published (measures.md §1): primary and
-- secondary suppression over the additive sets of int_measure_disclosure_sets, iterated to
-- its fixpoint, `z` and `x`. The rule lives in one place, private.disclosure_control
-- (sql/080_disclosure_control.sql); this model only hands it the cells and the sets.
with

cells as (

    select * from {{ ref('int_measures_unioned') }}

),

published as (

    select *
    from private.disclosure_control(
        '{{ ref('int_measures_unioned') }}'::regclass,
        '{{ ref('int_measure_disclosure_sets') }}'::regclass,
        {{ var('suppression_min') }},
        {{ var('suppression_max') }}
    )

)

select
    cells.la_code,
    cells.period_type,
    cells.period_label,
    cells.measure_id,
    cells.breakdown,
    cells.breakdown_value,
    cells.value,
    cells.numerator,
    cells.denominator,
    cells.unit,
    cells.is_available,
    published.published_value,
    published.suppression
from cells
inner join published
    using (la_code, period_type, period_label, measure_id, breakdown, breakdown_value)
