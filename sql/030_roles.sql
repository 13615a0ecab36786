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

-- Per-council BI access (`csc warehouse bi-role --la-code CODE`): each council's login role,
-- csc_bi_<la_code>, is a member of csc_bi_council and reads only its own council's rows of the
-- marts (row-level security on la_code, applied at every switch of the marts:
-- warehouse/roles.py). csc_bi, the hub's role, reads every council's.
do $$
begin
    if not exists (select from pg_roles where rolname = 'csc_bi_council') then
        create role csc_bi_council nologin;
    end if;
end
$$;
revoke all on schema raw, history, audit, quarantine, private, staging, intermediate from csc_bi_council;
revoke all on all tables in schema raw, history, audit, quarantine, private, staging, intermediate from csc_bi_council;
grant usage on schema marts to csc_bi_council;
grant select on all tables in schema marts to csc_bi_council;
