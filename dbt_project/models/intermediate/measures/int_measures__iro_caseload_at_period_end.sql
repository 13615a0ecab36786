-- iro_caseload_at_period_end (measures.md §3): children looked after at period end (short
-- breaks excluded) with an open IRO involvement (role in var iro_role_codes, in force on
-- the period end), per IRO as a stable pseudonym; the total counts children, not
-- involvements, so a child with two IROs counts once in it and once under each IRO.
with

children as (

    select * from {{ ref('int_cla_at_period_end') }}
    where not is_short_break

),

involvements as (

    select * from {{ ref('int_iro_involvements') }}

),

population as (

    select
        children.la_code,
        children.period_type,
        children.period_label,
        children.person_id,
        {{ pseudonym('children.la_code', 'involvements.professional_id') }} as iro
    from children
    inner join involvements
        on involvements.la_code = children.la_code
        and involvements.person_id = children.person_id
        and {{ in_force('involvements.involvement_start', 'involvements.involvement_end', 'children.as_at_date') }}

),

cells as (

    {{ measure_counts('iro_caseload_at_period_end', 'population', [
        {'name': 'iro', 'values': none},
    ], count_expression='count(distinct person_id)') | indent(4) }}

)

select * from cells
