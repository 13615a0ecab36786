with

source as (

    select * from {{ source('reference', 'council_iro_roles') }}

),

renamed as (

    select
        -- ids
        la_code,

        -- codes
        role_code

    from source

)

select * from renamed
