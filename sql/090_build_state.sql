-- What each schema the dbt build keeps from night to night holds (transform/build_plan.py): per
-- council, the fingerprint of the inputs it was last built from. Keyed by the schema's oid, which
-- survives the renames of the marts switch (the build buffer is the marts of two nights before).
-- No personal data: la_codes and hashes.
create table if not exists audit.build_state (
    schema_oid           oid         primary key,
    schema_name          text        not null,  -- when recorded; the oid is what identifies it
    project_fingerprint  text        not null,
    councils             jsonb       not null,  -- {la_code: fingerprint}
    complete             boolean     not null,  -- false from the start of a build until it succeeded
    recorded_at          timestamptz not null default now()
);
