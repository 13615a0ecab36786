with

source as (

    select * from {{ source('audit', 'current_extracts') }}

),

renamed as (

    select
        -- ids
        la_code,
        load_id,

        -- text
        la_name,
        source_system,

        -- dates
        extract_date,
        window_start

    from source

)

select * from renamed
