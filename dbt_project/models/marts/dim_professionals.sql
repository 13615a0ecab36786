-- Professionals (ssd_professionals), keyed by a stable pseudonym: no names, no staff
-- numbers. is_iro: the professional holds an involvement whose role is an IRO role
-- (var iro_role_codes).
with

professionals as (

    select * from {{ ref('stg_ssd__professionals') }}

),

iro_involvements as (

    select distinct la_code, professional_id
    from {{ ref('int_iro_involvements') }}

)

select
    professionals.la_code,
    {{ pseudonym('professionals.la_code', 'professionals.prof_professional_id') }} as professional_key,
    professionals.prof_professional_job_title as job_title,
    iro_involvements.professional_id is not null as is_iro,
    professionals.prof_professional_caseload as caseload,
    professionals.prof_full_time_equivalency as full_time_equivalency
from professionals
left join iro_involvements
    on iro_involvements.la_code = professionals.la_code
    and iro_involvements.professional_id = professionals.prof_professional_id
