-- The date dimension, keyed by `date`: every day any fact or performance_measures can refer to
-- (their date columns are foreign keys to it), with the financial year and quarter (Q1 = April
-- to June) and, within the working-day calendar (int_calendar: the years of the bank holiday
-- seed, which cover every council's data window: a data test checks), England and Wales bank
-- holidays and the working-day index. The span is whole calendar years from the earliest to the
-- latest date of the extracts (dates of birth left out: the span never gives one away), plus the
-- longest review timescale after it (the due dates computed from those dates).
{%- set timescale_months = [var('cla_review_second_months'), var('cla_review_later_months'),
                            var('rcpc_first_months'), var('rcpc_later_months'),
                            var('foster_carer_review_months')] | max + 1 %}
with

calendar as (

    select * from {{ ref('int_calendar') }}

),

extract_dates as (

    select first_day, last_day from {{ ref('int_date_spans') }}

),

span as (

    select
        make_date(cast(extract(year from least(min(extract_dates.first_day),
                                               (select min(date_day) from calendar))) as integer), 1, 1)
            as first_day,
        make_date(cast(extract(year from greatest(max(extract_dates.last_day)
                                                  + interval '{{ timescale_months }} months',
                                                  (select max(date_day) from calendar))) as integer), 12, 31)
            as last_day
    from extract_dates

),

days as (

    select
        cast(day as date) as date_day,
        cast(date_part('year', day - interval '3 months') as integer) as financial_year_start_year
    from span
    cross join lateral generate_series(span.first_day, span.last_day, interval '1 day') as day

)

select
    days.date_day as date,
    cast(extract(isodow from days.date_day) as integer) as iso_day_of_week,
    trim(to_char(days.date_day, 'Day')) as weekday,
    extract(isodow from days.date_day) > 5 as is_weekend,
    calendar.date_day is not null as in_working_day_calendar,
    calendar.is_bank_holiday,
    calendar.bank_holiday,
    calendar.is_working_day,
    calendar.working_day_index,
    days.financial_year_start_year::text || '-'
        || lpad(((days.financial_year_start_year + 1) % 100)::text, 2, '0') as financial_year,
    make_date(days.financial_year_start_year, 4, 1) as financial_year_start,
    cast(floor((date_part('month', days.date_day - interval '3 months') - 1) / 3) + 1 as integer)
        as financial_quarter,
    days.financial_year_start_year::text || '-'
        || lpad(((days.financial_year_start_year + 1) % 100)::text, 2, '0')
        || ' Q' || (floor((date_part('month', days.date_day - interval '3 months') - 1) / 3) + 1)::integer::text
        as financial_quarter_label,
    cast(date_part('year', days.date_day) as integer) as calendar_year,
    cast(date_part('month', days.date_day) as integer) as calendar_month
from days
left join calendar
    on calendar.date_day = days.date_day
