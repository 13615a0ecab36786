-- Children, keyed by a stable pseudonym (la_code, child_key): no names, no dates of birth, no
-- case-system ids. Everyone in ssd_person, and every person another table of the extract
-- refers to without a row there (has_person_record false: nothing known but the key), so that
-- every fact's child_key is a member (the facts' foreign keys). Sex and ethnicity are members
-- of their dimensions: a value that is none of the codes is `Not known`.
with

persons as (

    select * from {{ ref('stg_ssd__persons') }}

),

referred as (

    {%- set union = joiner('union') %}
    {%- for model, columns in contract_references()['ssd_person'].items() %}
    {%- for column in columns %}
    {{ union() }}
    select la_code, {{ column }} as person_id from {{ ref(model) }} where {{ column }} is not null
    {%- endfor %}
    {%- endfor %}

),

children as (

    select la_code, pers_person_id as person_id, pers_sex as sex, pers_ethnicity as ethnicity,
        pers_death_date is not null as has_died, true as has_person_record
    from persons
    union all
    select la_code, person_id, null, null, null, false
    from referred
    where not exists (
        select from persons
        where persons.la_code = referred.la_code and persons.pers_person_id = referred.person_id
    )

)

select
    la_code,
    {{ pseudonym('la_code', 'person_id') }} as child_key,
    has_person_record,
    coalesce({{ dimension_member('sex', 'sex') }}, 'Not known') as sex,
    {{ dimension_member('ethnicity', 'ethnicity') }} as ethnicity,
    {{ ethnicity_group('ethnicity') }} as ethnicity_group,
    has_died
from children
