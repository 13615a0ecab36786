-- Councils' own labels for coded columns (extract-contract.md §6: "anything else only
-- through the council's own mapping file"). Each council's mapping file
-- (code_set,label,code; docs/validation.md) is copied here before its drop is validated,
-- so validation and dbt staging (macro normalise_code) accept exactly the same labels.
-- Labels are stored normalised (trimmed, lower case, inner spaces folded).
create schema if not exists reference;

create table if not exists reference.council_code_labels (
    la_code        text        not null,
    code_set       text        not null,
    label          text        not null check (label = private.normalise_label(label)),
    code           text        not null,
    source_file    text        not null,
    source_sha256  text        not null,
    source_line    integer     not null,
    loaded_at      timestamptz not null default now(),
    primary key (la_code, code_set, label)
);
