-- Stable pseudonyms for marts: a keyed hash (HMAC-SHA256) of la_code and id, with a
-- per-deployment secret written here from configuration (CSC_PSEUDONYM_KEY) by
-- `csc warehouse init`. A plain hash of a small id could be reversed by enumeration.
create table if not exists private.pseudonym_key (
    singleton  boolean primary key default true check (singleton),
    key        bytea not null,
    set_at     timestamptz not null default now()
);

create or replace function private.pseudonym(la_code text, id text) returns text
language sql stable parallel safe as $$
    select case when id is null then null else
        substr(encode(public.hmac(convert_to(la_code || ':' || id, 'UTF8'),
                                  (select key from private.pseudonym_key), 'sha256'), 'hex'), 1, 24)
    end
$$;
