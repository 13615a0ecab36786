-- The date dimension: every day of the working-day calendar (int_calendar: the years of
-- the bank holiday seed, which cover every council's data window: a data test checks), with
-- England and Wales bank holidays, the working-day index and the financial year and
-- quarter (Q1 = April to June).
with

calendar as (

    select * from {{ ref('int_calendar') }}

),

financial as (

    select
        *,
        cast(date_part('year', date_day - interval '3 months') as integer) as financial_year_start_year
    from calendar

)

select
    date_day,
    cast(extract(isodow from date_day) as integer) as iso_day_of_week,
    trim(to_char(date_day, 'Day')) as weekday,
    is_weekend,
    is_bank_holiday,
    bank_holiday,
    is_working_day,
    working_day_index,
    financial_year_start_year::text || '-'
        || lpad(((financial_year_start_year + 1) % 100)::text, 2, '0') as financial_year,
    make_date(financial_year_start_year, 4, 1) as financial_year_start,
    cast(floor((date_part('month', date_day - interval '3 months') - 1) / 3) + 1 as integer) as financial_quarter,
    financial_year_start_year::text || '-'
        || lpad(((financial_year_start_year + 1) % 100)::text, 2, '0')
        || ' Q' || (floor((date_part('month', date_day - interval '3 months') - 1) / 3) + 1)::integer::text
        as financial_quarter_label,
    cast(date_part('year', date_day) as integer) as calendar_year,
    cast(date_part('month', date_day) as integer) as calendar_month
from financial
