-- England and Wales bank holidays the working-day rules must step over (measures.md §2):
-- Easter (Good Friday and Easter Monday, which the holidays package misses without
-- subdiv ENG, as the summer bank holiday), Christmas and New Year substitute days, the
-- 2022 spring bank holiday and Platinum Jubilee, the Queen's state funeral and the 2023
-- coronation; and ordinary working days beside them. Returns the days that are wrong.
with

expected (date_day, is_working_day) as (

    values
        (date '2014-04-17', true), (date '2014-04-18', false), (date '2014-04-21', false),
        (date '2014-04-22', true), (date '2022-06-01', true), (date '2022-06-02', false),
        (date '2022-06-03', false), (date '2022-06-06', true), (date '2022-08-29', false),
        (date '2022-09-16', true), (date '2022-09-19', false), (date '2022-09-20', true),
        (date '2022-12-23', true), (date '2022-12-26', false), (date '2022-12-27', false),
        (date '2022-12-28', true), (date '2023-01-02', false), (date '2023-01-03', true),
        (date '2023-05-08', false)

)

select expected.date_day
from expected
left join {{ ref('int_calendar') }} as calendar
    on calendar.date_day = expected.date_day
where calendar.is_working_day is distinct from expected.is_working_day
