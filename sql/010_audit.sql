-- What the pipeline has processed. The landing folder is read-only, so this is
-- the only record of which drops were loaded, quarantined or superseded.
create table if not exists audit.loads (
    load_id          bigserial primary key,
    la_code          text        not null,
    la_name          text,
    extract_date     date        not null,
    window_start     date        not null,
    source_system    text,
    ssd_version      text,
    drop_path        text        not null,
    manifest_sha256  text        not null,
    status           text        not null
        check (status in ('landing', 'validated', 'published', 'quarantined', 'superseded', 'failed', 'accepted')),
    message          text,
    run_id           text,
    started_at       timestamptz not null default now(),
    finished_at      timestamptz
);
create index if not exists loads_by_drop on audit.loads (la_code, extract_date, manifest_sha256);
-- The checksums of the manifest and every contract file together (drops/fingerprint.py): a
-- quarantined drop whose files change under the same manifest is taken again.
alter table audit.loads add column if not exists fingerprint text;

-- One row per table per load: what the manifest promised and what changed
-- against the previous good snapshot (rows are compared by a hash of their values).
create table if not exists audit.load_tables (
    load_id       bigint not null references audit.loads (load_id),
    table_name    text   not null,
    present       boolean not null,
    row_count     bigint not null,
    sha256        text,
    rows_added    bigint,
    rows_removed  bigint,
    primary key (load_id, table_name)
);
-- Why rows left the snapshot (see history.*): corrected in place, deleted, or aged out of the window.
alter table audit.load_tables add column if not exists rows_corrected bigint;
alter table audit.load_tables add column if not exists rows_deleted bigint;
alter table audit.load_tables add column if not exists rows_aged_out bigint;
-- Optional contract columns the file lacked (loaded empty), and the versions that ended only
-- because such a column had values before (history.*.ended_because = 'emptied').
alter table audit.load_tables add column if not exists rows_emptied bigint;
alter table audit.load_tables add column if not exists columns_missing text[];

-- The validation result of each load, as a summary safe to show anyone:
-- rule, table, column, counts and row numbers, never values.
create table if not exists audit.validation_results (
    load_id     bigint  not null references audit.loads (load_id),
    success     boolean not null,
    report      jsonb   not null,
    validated_at timestamptz not null default now(),
    primary key (load_id)
);

-- The snapshot each council's marts are built from: its latest published (or operator-accepted) load.
create or replace view audit.current_extracts as
select distinct on (la_code)
    load_id, la_code, la_name, extract_date, window_start, source_system
from audit.loads
where status in ('published', 'accepted')
order by la_code, extract_date desc, load_id desc;

-- Each DAG run's summary (the night_summary task): counts per outcome and one line per drop.
create table if not exists audit.night_runs (
    run_id       text primary key,
    finished_at  timestamptz not null default now(),
    drops        integer not null,
    published    integer not null,
    quarantined  integer not null,
    superseded   integer not null,
    unfinished   integer not null,
    lines        text[] not null
);
