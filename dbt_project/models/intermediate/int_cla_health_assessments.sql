-- Statutory health assessments of children looked after: checks of the type "Health
-- Assessment" (var health_assessment_type, any letter case and surrounding spaces) with
-- status Completed. Analysed after it is built: the health measure joins it to every
-- child at every period end.
{{ config(post_hook='analyze {{ this }}') }}

select
    la_code,
    clah_health_check_id as health_check_id,
    clah_person_id as person_id,
    clah_health_check_date as assessment_date
from {{ ref('stg_ssd__cla_health_checks') }}
where lower(clah_health_check_type) = lower('{{ var("health_assessment_type") | replace("'", "''") }}')
    and clah_health_check_status = 'Completed'
    and clah_health_check_date is not null
    and clah_person_id is not null
