with

source as (

    select * from {{ source('audit', 'load_tables') }}

),

renamed as (

    select
        -- ids
        load_id,
        table_name,

        -- flags
        present,

        -- numbers
        row_count

    from source

)

select * from renamed
