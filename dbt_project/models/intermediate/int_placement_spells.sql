-- The placement in force on any date: each child's placements resolved into spells that
-- never overlap (the later start wins, then the higher id: measures.md §2).
with

placements as (

    select
        la_code,
        clap_person_id as person_id,
        clap_cla_placement_id as placement_id,
        clap_cla_id as cla_id,
        clap_cla_placement_start_date as placement_start,
        clap_cla_placement_end_date as placement_end,
        clap_cla_placement_type as placement_type,
        clap_cla_placement_provider as placement_provider,
        clap_cla_placement_distance as placement_distance,
        clap_cla_placement_urn as placement_urn
    from {{ ref('stg_ssd__cla_placements') }}
    where clap_person_id is not null

),

spells as (

    {{ resolved_spells('placements', ['la_code', 'person_id'], 'placement_id',
                       'placement_start', 'placement_end') | indent(4) }}

)

select
    la_code,
    person_id,
    placement_id,
    cla_id,
    placement_type,
    placement_provider,
    placement_distance,
    placement_urn,
    valid_from,
    valid_to
from spells
