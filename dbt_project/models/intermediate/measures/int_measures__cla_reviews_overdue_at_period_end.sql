-- cla_reviews_overdue_at_period_end (measures.md §3): children looked after at period
-- end (short breaks excluded) whose next review was due before the period end and has
-- not been held: the step of their period of care's review schedule in force on the
-- period end has its next review due before it.
with

children as (

    select * from {{ ref('int_cla_at_period_end') }}
    where not is_short_break

),

schedule as (

    select * from {{ ref('int_cla_review_schedule') }}

),

population as (

    select children.la_code, children.period_type, children.period_label, children.person_id
    from children
    inner join schedule
        on schedule.la_code = children.la_code
        and schedule.cla_id = children.cla_id
        and {{ in_force('schedule.valid_from', 'schedule.valid_to', 'children.as_at_date') }}
    where schedule.next_review_due_date < children.as_at_date

),

cells as (

    {{ measure_counts('cla_reviews_overdue_at_period_end', 'population', [],
                      count_expression='count(distinct person_id)') | indent(4) }}

)

select * from cells
