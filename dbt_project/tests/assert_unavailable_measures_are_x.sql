-- A measure whose optional source table (measure_catalogue.optional_source_tables) is
-- absent from a council's current drop is published as `x` in every row, never as a
-- figure; one whose optional tables are all present never is (extract-contract.md §4,
-- measures.md §1). Returns the measures that break this.
with

measures as (

    select * from {{ ref('performance_measures') }}

),

needs as (

    select measure_id, unnest(string_to_array(optional_source_tables, ' ')) as table_name
    from {{ ref('measure_catalogue') }}
    where coalesce(optional_source_tables, '') <> ''

),

absent as (

    select distinct extracts.la_code, needs.measure_id
    from {{ ref('stg_audit__current_extracts') }} as extracts
    cross join needs
    left join {{ ref('stg_audit__load_tables') }} as load_tables
        on load_tables.load_id = extracts.load_id
        and load_tables.table_name = needs.table_name
        and load_tables.present
    where load_tables.table_name is null

)

select distinct measures.la_code, measures.measure_id
from measures
left join absent
    on absent.la_code = measures.la_code
    and absent.measure_id = measures.measure_id
where (absent.measure_id is not null) <> (measures.published_value = 'x')
