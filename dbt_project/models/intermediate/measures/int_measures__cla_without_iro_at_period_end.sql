-- cla_without_iro_at_period_end (measures.md §3): children looked after at period end
-- (short breaks excluded) with no open IRO involvement on that date.
with

children as (

    select * from {{ ref('int_cla_at_period_end') }}
    where not is_short_break

),

involvements as (

    select * from {{ ref('int_iro_involvements') }}

),

population as (

    select children.la_code, children.period_type, children.period_label
    from children
    where not exists (
        select 1
        from involvements
        where involvements.la_code = children.la_code
            and involvements.person_id = children.person_id
            and {{ in_force('involvements.involvement_start', 'involvements.involvement_end', 'children.period_end') }}
    )

),

cells as (

    {{ measure_counts('cla_without_iro_at_period_end', 'population', []) | indent(4) }}

)

select * from cells
