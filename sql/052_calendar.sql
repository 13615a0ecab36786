-- A lookup of every date from 1900 to 2099 in the spellings extracts use most
-- (YYYY-MM-DD, YYYY-MM-DD 00:00:00, YYYY-MM-DD 00:00:00.000, DD/MM/YYYY), so that
-- validation can read a date with a hash join instead of private.parse_date's regular
-- expressions (~20x faster on ten million rows). A value not found here is read by
-- private.parse_date; for every value found here the answer is the same
-- (the 1900-01-01 placeholders, which parse_date reads as NULL, are left out;
-- tests/test_validate_sql.py compares the two).
-- Filled on first use (private.fill_calendar(), called by validation), not here, so
-- creating a warehouse stays fast.
create table if not exists private.calendar (
    form  text primary key,
    d     date not null
);

create or replace function private.fill_calendar() returns bigint
language plpgsql as $$
begin
    if exists (select from private.calendar) then
        return 0;
    end if;
    perform pg_advisory_xact_lock(hashtext('csc_pipeline.calendar'));
    if exists (select from private.calendar) then
        return 0;
    end if;
    insert into private.calendar (form, d)
    select f, day
    from generate_series(date '1900-01-01', date '2099-12-31', interval '1 day') as g(ts),
         lateral (select g.ts::date as day) as dd,
         lateral (values (to_char(day, 'YYYY-MM-DD')),
                         (to_char(day, 'YYYY-MM-DD') || ' 00:00:00'),
                         (to_char(day, 'YYYY-MM-DD') || ' 00:00:00.000'),
                         (to_char(day, 'DD/MM/YYYY'))) as v(f)
    where not (day = date '1900-01-01' and f like '1900-01-01%');
    analyze private.calendar;
    return (select count(*) from private.calendar);
end
$$;
