-- Professionals, keyed by a stable pseudonym (la_code, professional_key): no names, no staff
-- numbers. Everyone in ssd_professionals, and every professional another table of the extract
-- refers to without a row there (has_professional_record false), so that every fact's IRO or
-- reviewing officer is a member. is_iro: the professional holds an involvement whose role is an
-- IRO role (var iro_role_codes).
with

professionals as (

    select * from {{ ref('stg_ssd__professionals') }}

),

referred as (

    {%- set union = joiner('union') %}
    {%- for model, columns in contract_references()['ssd_professionals'].items() %}
    {%- for column in columns %}
    {{ union() }}
    select la_code, {{ column }} as professional_id from {{ ref(model) }} where {{ column }} is not null
    {%- endfor %}
    {%- endfor %}

),

members as (

    select la_code, prof_professional_id as professional_id, prof_professional_job_title as job_title,
        prof_professional_caseload as caseload, prof_full_time_equivalency as full_time_equivalency,
        true as has_professional_record
    from professionals
    union all
    select la_code, professional_id, null, null, null, false
    from referred
    where not exists (
        select from professionals
        where professionals.la_code = referred.la_code
            and professionals.prof_professional_id = referred.professional_id
    )

),

iro_involvements as (

    select distinct la_code, professional_id
    from {{ ref('int_iro_involvements') }}

)

select
    members.la_code,
    {{ pseudonym('members.la_code', 'members.professional_id') }} as professional_key,
    members.has_professional_record,
    members.job_title,
    iro_involvements.professional_id is not null as is_iro,
    members.caseload,
    members.full_time_equivalency
from members
left join iro_involvements
    on iro_involvements.la_code = members.la_code
    and iro_involvements.professional_id = members.professional_id
