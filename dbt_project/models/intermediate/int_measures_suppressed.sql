-- The measure cells with the value that may be published (primary and secondary
-- suppression, `z` and `x`): see the suppressed_cells macro.
with

cells as (

    select * from {{ ref('int_measures_unioned') }}

),

published as (

    {{ suppressed_cells('cells') | indent(4) }}

)

select * from published
