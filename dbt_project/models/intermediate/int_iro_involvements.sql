-- Involvements that allocate an IRO to a child: the involvement's role is one of the
-- council's own IRO roles (deployment file, stg_reference__council_iro_roles) or, for a
-- council without its own list, of var iro_role_codes (per-authority configuration,
-- default IRO: extract-contract.md §3). Compared ignoring letter case and surrounding
-- spaces. Overlaps are kept: a caseload counts every open involvement.
with

involvements as (

    select * from {{ ref('stg_ssd__involvements') }}

),

council_roles as (

    select * from {{ ref('stg_reference__council_iro_roles') }}

),

default_roles as (

    select upper(btrim(role_code)) as role_code
    from (values
        {%- for code in var('iro_role_codes') %}
        ('{{ code | replace("'", "''") }}'){% if not loop.last %},{% endif %}
        {%- endfor %}
    ) as configured (role_code)

)

select
    involvements.la_code,
    involvements.invo_involvements_id as involvement_id,
    involvements.invo_person_id as person_id,
    involvements.invo_professional_id as professional_id,
    involvements.invo_involvement_start_date as involvement_start,
    involvements.invo_involvement_end_date as involvement_end
from involvements
where upper(btrim(involvements.invo_professional_role_id)) in (
        select council_roles.role_code
        from council_roles
        where council_roles.la_code = involvements.la_code
        union all
        select default_roles.role_code
        from default_roles
        where not exists (
            select from council_roles where council_roles.la_code = involvements.la_code
        )
    )
    and involvements.invo_person_id is not null
    and involvements.invo_professional_id is not null
