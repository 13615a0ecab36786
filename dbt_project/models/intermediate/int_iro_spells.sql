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

select la_code, person_id, involvement_id, professional_id, valid_from, valid_to
from spells
