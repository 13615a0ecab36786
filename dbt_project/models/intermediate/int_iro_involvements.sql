-- Involvements that allocate an IRO to a child: the involvement's role is one of
-- var iro_role_codes (per-authority configuration, default IRO; compared ignoring
-- letter case and surrounding spaces). Overlaps are kept: a caseload counts every
-- open involvement.
select
    la_code,
    invo_involvements_id as involvement_id,
    invo_person_id as person_id,
    invo_professional_id as professional_id,
    invo_involvement_start_date as involvement_start,
    invo_involvement_end_date as involvement_end
from {{ ref('stg_ssd__involvements') }}
where upper(invo_professional_role_id) in (
        {%- for code in var('iro_role_codes') %}upper('{{ code | replace("'", "''") }}'){% if not loop.last %}, {% endif %}{% endfor -%}
    )
    and invo_person_id is not null
    and invo_professional_id is not null
