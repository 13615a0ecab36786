-- Children (everyone in ssd_person), keyed by a stable pseudonym: no names, no dates of
-- birth, no case-system ids.
with

persons as (

    select * from {{ ref('stg_ssd__persons') }}

)

select
    la_code,
    {{ pseudonym('la_code', 'pers_person_id') }} as child_key,
    coalesce(pers_sex, 'Not known') as sex,
    pers_ethnicity as ethnicity,
    {{ ethnicity_group('pers_ethnicity') }} as ethnicity_group,
    pers_death_date is not null as has_died
from persons
