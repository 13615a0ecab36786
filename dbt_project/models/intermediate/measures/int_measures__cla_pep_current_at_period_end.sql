-- cla_pep_current_at_period_end (measures.md §3): of the children aged 5 to 15 at period
-- end, looked after (short breaks excluded) for at least 20 working days (var
-- cla_pep_min_working_days, a setting of its own), those with a personal education plan
-- (loc_cla_pep) dated within the previous 6 months (var pep_months). loc_cla_pep is
-- optional: without it the measure is unavailable (`x`).
with

children as (

    select * from {{ ref('int_cla_at_period_end') }}
    where not is_short_break and is_looked_after_long_enough_for_pep
        and age_years between 5 and 15

),

peps as (

    select la_code, pep_person_id as person_id, pep_date
    from {{ ref('stg_loc__cla_peps') }}
    where pep_date is not null

),

cells as (

    {{ cla_with_document_within('cla_pep_current_at_period_end', 'children', 'peps', 'pep_date',
                                var('pep_months')) | indent(4) }}

)

select * from cells
