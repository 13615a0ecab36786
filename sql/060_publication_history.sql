-- Publication history: what marts.performance_measures published, night by night.
-- After each dbt build the nightly run records a publication (csc_pipeline.publish.history)
-- and keeps only the figures that differ from the previous publication, so a figure's
-- history is its first publication and each revision. A figure that stops being published
-- is recorded once with withdrawn = true. The figures as published at publication N are,
-- for each key, its latest row with publication_id <= N (unless withdrawn).
create table if not exists audit.publications (
    publication_id  bigserial   primary key,
    published_at    timestamptz not null default now(),
    rows_recorded   integer     not null default 0
);

create table if not exists audit.published_figures (
    publication_id       bigint  not null references audit.publications (publication_id),
    la_code              text    not null,
    period_type          text    not null,
    period_label         text    not null,
    measure_id           text    not null,
    breakdown            text    not null,
    breakdown_value      text    not null,
    published_value      text,
    value                numeric,
    source_extract_date  date,
    withdrawn            boolean not null default false,
    -- Key first: "the latest row of each figure" reads this index backwards.
    primary key (la_code, period_type, period_label, measure_id, breakdown, breakdown_value, publication_id)
);
create index if not exists published_figures_by_publication
    on audit.published_figures (publication_id, la_code);

-- The last good load whose data a publication's marts include (transform/publication.py): a good
-- load newer than every publication's means the marts are behind and the next run publishes.
alter table audit.publications add column if not exists through_load_id bigint;
