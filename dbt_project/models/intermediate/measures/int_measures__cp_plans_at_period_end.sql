-- cp_plans_at_period_end (measures.md §3): children subject to a child protection plan at
-- period end (a plan in force: start <= D and (end null or end > D)), by the latest
-- category of their plan (the later start, then the higher id, where two overlap) and
-- their age band on that date (Unborn before birth); not from the child's 18th birthday or
-- death, even with the plan still open (measures.md §2).
{%- set categories = contract_code_sets()['cp_category']['codes'] %}

with

plans as (

    select * from {{ ref('int_cp_plans') }}

),

persons as (

    select la_code, pers_person_id as person_id, pers_dob, pers_expected_dob, pers_death_date
    from {{ ref('stg_ssd__persons') }}

),

-- One plan per child: the later start wins, then the higher id; a plan with no person is
-- one child of its own (measures.md §2: missing links never join).
in_force as (

    {{ records_at_period_ends('plans', 'plan_start', 'plan_end', one_per=link_key('person_id', 'cp_plan_id'),
                              id_column='cp_plan_id') | indent(4) }}

),

population as (

    select
        in_force.la_code,
        in_force.period_type,
        in_force.period_label,
        {{ code_or_not_known('in_force.latest_category', categories) }} as category,
        {{ age_band_or_unborn('persons.pers_dob', 'persons.pers_expected_dob', 'in_force.as_at_date') }} as age_band
    from in_force
    left join persons
        on persons.la_code = in_force.la_code
        and persons.person_id = in_force.person_id
    -- Nobody is on a plan from their 18th birthday or death (measures.md §2).
    where {{ counts_as_a_child_on('persons.pers_dob', 'persons.pers_death_date', 'in_force.as_at_date') }}

),

cells as (

    {{ measure_counts('cp_plans_at_period_end', 'population', [
        {'name': 'category', 'values': categories + ['Not known']},
        {'name': 'age_band', 'values': age_band_breakdown_values()},
    ]) | indent(4) }}

)

select * from cells
