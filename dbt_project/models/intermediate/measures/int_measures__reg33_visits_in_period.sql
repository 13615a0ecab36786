-- reg33_visits_in_period (measures.md §3): independent visits to the council's children's
-- homes made in the period (loc_reg33_visits), by home (its Ofsted URN; an open set); 0
-- when the table is present but empty, unavailable (`x`) when the drop lacks it.
with

visits as (

    select la_code, coalesce(r33_home_urn, 'Not known') as home, r33_visit_date as visit_date
    from {{ ref('stg_loc__reg33_visits') }}

),

population as (

    select la_code, period_type, period_label, home
    from ({{ events_in_periods('visits', 'visit_date') | indent(4) }}) as in_period

),

cells as (

    {{ measure_counts('reg33_visits_in_period', 'population', [
        {'name': 'home', 'values': none},
    ]) | indent(4) }}

)

select * from cells
