-- The role BI tools log in with: it reads the marts schema and nothing else.
-- Created without a password; `csc warehouse bi-password` sets one for a real deployment.
do $$
begin
    if not exists (select from pg_roles where rolname = 'csc_bi') then
        create role csc_bi login;
    end if;
end
$$;

revoke all on schema raw, history, audit, quarantine, private, staging, intermediate from csc_bi;
revoke all on all tables in schema raw, history, audit, quarantine, private, staging, intermediate from csc_bi;
revoke create on schema public from public;
revoke all on all tables in schema public from public;
revoke execute on all functions in schema private from public;
grant usage on schema marts to csc_bi;
grant select on all tables in schema marts to csc_bi;
-- Tables dbt creates later in marts are readable too.
alter default privileges in schema marts grant select on tables to csc_bi;
