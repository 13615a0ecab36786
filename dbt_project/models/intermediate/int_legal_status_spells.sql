-- The legal status in force on any date: each child's legal statuses resolved into
-- spells that never overlap (the later start wins, then the higher id: measures.md §2).
-- The status on D is the spell with valid_from <= D and (valid_to null or valid_to > D): the
-- one place the legal status on a date is decided (period ends: int_cla_at_period_end;
-- review dates: int_cla_reviews; the start and end of a period of care: the
-- cla_started / cla_ceased measures).
with

legal_statuses as (

    select
        la_code,
        lega_person_id as person_id,
        lega_legal_status_id as legal_status_id,
        lega_legal_status as legal_status,
        lega_legal_status_start_date as legal_status_start,
        lega_legal_status_end_date as legal_status_end
    from {{ ref('stg_ssd__legal_statuses') }}
    where lega_person_id is not null

),

spells as (

    {{ resolved_spells('legal_statuses', ['la_code', 'person_id'], 'legal_status_id',
                       'legal_status_start', 'legal_status_end') | indent(4) }}

)

select
    la_code,
    person_id,
    legal_status_id,
    legal_status,
    coalesce(legal_status in {{ sql_list(var('short_break_legal_statuses')) }}, false) as is_short_break,
    valid_from,
    valid_to
from spells
