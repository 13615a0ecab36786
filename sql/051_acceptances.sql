-- Operator decisions: a quarantined drop accepted after review (`csc accept`), e.g. a
-- genuine purge that shrank a table by more than the volume threshold. One row per
-- acceptance: who, why, when, which blocking rules were accepted and how.
create table if not exists audit.acceptances (
    acceptance_id   bigserial   primary key,
    load_id         bigint      not null references audit.loads (load_id),
    operator        text        not null check (btrim(operator) <> ''),
    reason          text        not null check (length(btrim(reason)) >= 10),
    accepted_rules  text[]      not null,
    mode            text        not null check (mode in ('revalidated', 'as_is')),
    report          jsonb,      -- the validation report the drop was published with
    db_user         text        not null default current_user,
    accepted_at     timestamptz not null default now()
);
create index if not exists acceptances_by_load on audit.acceptances (load_id);
