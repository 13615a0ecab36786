-- cp_families_at_period_end (measures.md §3): distinct families (ssd_family) of the
-- children subject to a plan at period end; a child with no family row counts as their
-- own family, and a plan with no person as one child (measures.md §2: missing links never
-- join). ssd_family is optional: without it the measure is unavailable (`x`).
with

plans as (

    select * from {{ ref('int_cp_plans') }}

),

families as (

    select distinct la_code, fami_person_id as person_id, fami_family_id as family_id
    from {{ ref('stg_ssd__families') }}
    where fami_family_id is not null

),

persons as (

    select la_code, pers_person_id as person_id, pers_dob, pers_death_date
    from {{ ref('stg_ssd__persons') }}

),

population as (

    select
        at_period_end.la_code,
        at_period_end.period_type,
        at_period_end.period_label,
        coalesce('family:' || families.family_id, 'child:' || at_period_end.person_id,
                 'plan:' || at_period_end.cp_plan_id) as family
    from ({{ records_at_period_ends('plans', 'plan_start', 'plan_end') | indent(4) }}) as at_period_end
    left join families
        on families.la_code = at_period_end.la_code
        and families.person_id = at_period_end.person_id
    left join persons
        on persons.la_code = at_period_end.la_code
        and persons.person_id = at_period_end.person_id
    -- Nobody is on a plan from their 18th birthday or death (measures.md §2).
    where {{ counts_as_a_child_on('persons.pers_dob', 'persons.pers_death_date', 'at_period_end.as_at_date') }}

),

cells as (

    {{ measure_counts('cp_families_at_period_end', 'population', [],
                      count_expression='count(distinct family)') | indent(4) }}

)

select * from cells
