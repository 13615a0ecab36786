{#- Dates and timescales (measures.md §2): the working-day calendar, working-day
    arithmetic as index lookups, calendar months. Each rule lives here once. -#}

{% macro calendar_days() -%}
{#- One row per day of the bank-holiday seed's years: weekends, England and Wales bank
    holidays, working days, and the working-day index (working days on or before the day). -#}
select
    days.date_day,
    days.is_weekend,
    holidays.bank_holiday is not null as is_bank_holiday,
    holidays.bank_holiday,
    not days.is_weekend and holidays.bank_holiday is null as is_working_day,
    cast(count(*) filter (where not days.is_weekend and holidays.bank_holiday is null)
        over (order by days.date_day rows unbounded preceding) as integer) as working_day_index
from (
    select
        cast(day as date) as date_day,
        extract(isodow from day) > 5 as is_weekend
    from (
        select
            make_date(cast(min(extract(year from "date")) as integer), 1, 1) as first_day,
            make_date(cast(max(extract(year from "date")) as integer), 12, 31) as last_day
        from {{ ref('bank_holidays_england') }}
    ) as span
    cross join lateral generate_series(span.first_day, span.last_day, interval '1 day') as day
) as days
left join (
    select "date" as holiday_date, string_agg("name", '; ' order by "name") as bank_holiday
    from {{ ref('bank_holidays_england') }}
    group by "date"
) as holidays
    on holidays.holiday_date = days.date_day
{%- endmacro %}


{% macro join_working_days_after(alias, date_expression, days) -%}
{#- Left-joins `alias`, the calendar row (int_calendar) of the date `days` working days
    after the date: stepping forward from it, the date itself never counted (measures.md
    §2). An index lookup: the working day whose index is the date's index + days.
    Select {{ alias }}.date_day; `{{ alias }}_from` is the date's own calendar row. -#}
{%- set calendar = ref('int_calendar') -%}
left join {{ calendar }} as {{ alias }}_from
    on {{ alias }}_from.date_day = {{ date_expression }}
left join {{ calendar }} as {{ alias }}
    on {{ alias }}.is_working_day
    and {{ alias }}.working_day_index = {{ alias }}_from.working_day_index + {{ days }}
{%- endmacro %}


{% macro join_working_days_before(alias, date_expression, days) -%}
{#- Left-joins `alias`, the calendar row of the date `days` working days before the date:
    stepping back from it, the date itself never counted (measures.md §2). The working
    days before D are those on or before D - 1, so the n-th is the working day whose
    index is index(D - 1) - n + 1. -#}
{%- set calendar = ref('int_calendar') -%}
left join {{ calendar }} as {{ alias }}_from
    on {{ alias }}_from.date_day = cast({{ date_expression }} - 1 as date)
left join {{ calendar }} as {{ alias }}
    on {{ alias }}.is_working_day
    and {{ alias }}.working_day_index = {{ alias }}_from.working_day_index - {{ days }} + 1
{%- endmacro %}


{% macro add_months(date_expression, months) -%}
{#- Calendar months (measures.md §2): the date one month after 31 January is 28/29
    February (PostgreSQL clamps the day to the end of a shorter month). -#}
cast({{ date_expression }} + ({{ months }}) * interval '1 month' as date)
{%- endmacro %}


{% macro within_previous_months(date_expression, on_date, months) -%}
{#- measures.md §3 "within the previous M months" of D: dated on or after the date M
    calendar months before D, and not after D. months: a number or an SQL expression. -#}
({{ date_expression }} <= {{ on_date }}
    and {{ date_expression }} >= {{ add_months(on_date, '-(' ~ months ~ ')') }})
{%- endmacro %}


{% macro months_between(from_date, to_date) -%}
{#- Completed calendar months from one date to a later one: the largest n with
    add_months(from_date, n) <= to_date (so 31 January to 28 February is one month). -#}
case when {{ from_date }} <= {{ to_date }} then
    (date_part('year', age({{ to_date }}, {{ from_date }})) * 12 + date_part('month', age({{ to_date }}, {{ from_date }})))::integer
    + case when {{ add_months(from_date, "(date_part('year', age(" ~ to_date ~ ", " ~ from_date ~ ")) * 12 + date_part('month', age(" ~ to_date ~ ", " ~ from_date ~ ")) + 1)") }} <= {{ to_date }} then 1 else 0 end
end
{%- endmacro %}


{% macro pseudonym(la_code, id_expression, kind=none) -%}
{#- A stable pseudonym for marts (private.pseudonym: a keyed HMAC of la_code and id).
    Children and professionals use their id alone; other records name their kind so that
    ids of different tables never share a pseudonym. -#}
private.pseudonym({{ la_code }}, {% if kind %}'{{ kind }}:' || {% endif %}{{ id_expression }})
{%- endmacro %}
