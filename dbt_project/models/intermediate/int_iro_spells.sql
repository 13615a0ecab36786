-- The IRO allocated to a child on any date: the child's IRO involvements resolved into
-- spells that never overlap (the later start wins, then the higher id: measures.md §2).
with

involvements as (

    select * from {{ ref('int_iro_involvements') }}

),

spells as (

    {{ resolved_spells('involvements', ['la_code', 'person_id'], 'involvement_id',
                       'involvement_start', 'involvement_end') | indent(4) }}

)

select
    spells.la_code,
    spells.person_id,
    spells.involvement_id,
    involvements.professional_id,
    spells.valid_from,
    spells.valid_to
from spells
inner join involvements
    on involvements.la_code = spells.la_code
    and involvements.involvement_id = spells.involvement_id
