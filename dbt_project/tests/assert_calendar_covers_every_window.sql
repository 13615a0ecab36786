-- The working-day calendar (int_calendar: the years of the bank-holiday seed) holds every
-- council's data window and a year of due dates after its extract. When this fails, extend
-- BANK_HOLIDAY_YEARS in csc_pipeline/contract/render.py and run `csc contract render`.
select extracts.la_code
from {{ ref('stg_audit__current_extracts') }} as extracts
cross join (
    select min(date_day) as first_day, max(date_day) as last_day
    from {{ ref('int_calendar') }}
) as calendar
where extracts.window_start < calendar.first_day
    or extracts.extract_date + interval '1 year' > calendar.last_day
