"""sql/040_parsing.sql, rendered from the contract's reading rules (extract-contract.md §2):
the NULL placeholders and the Y/N spellings of codesets.py, so SQL and Python share one list."""

from __future__ import annotations

import re

from .codesets import NULL_PLACEHOLDER_DATES, NULL_PLACEHOLDERS, YES_NO_LABELS


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def null_like_values() -> tuple[str, ...]:
    """Every trimmed value that means NULL: empty, the text placeholders and the placeholder dates."""
    return (*NULL_PLACEHOLDERS, *NULL_PLACEHOLDER_DATES)


def null_markers() -> tuple[str, ...]:
    """Substrings one of which a non-blank NULL-like value must contain (validation's cheap test)."""
    return tuple(v for v in null_like_values() if v)


def render_parsing_sql(header: str) -> str:
    values = ", ".join(_literal(v) for v in null_like_values())
    # SQL Server writes a placeholder date as a datetime: the ISO placeholder with a zero time.
    datetimes = " or ".join(
        f"btrim(v) ~ '^{d} 00:00:00(\\.0+)?$'" for d in NULL_PLACEHOLDER_DATES if re.fullmatch(r"[0-9-]+", d))
    yes_no = "\n        ".join(
        " ".join(f"when {_literal(label)} then {_literal(code)}" for label, c in YES_NO_LABELS.items() if c == code)
        for code in dict.fromkeys(YES_NO_LABELS.values()))
    return f"""-- {header} (csc_pipeline/contract/parsing_sql.py)
-- How extract values are read (extract-contract.md §2), defined once and used by
-- both validation and dbt staging. These functions never raise: a value that does
-- not parse gives NULL, so no cast error can echo a child's data into a log.
-- Validation counts the values for which is_null_value() is false and the parse is NULL.

-- Empty strings and the SSD placeholders mean NULL.
create or replace function private.is_null_value(v text) returns boolean
language sql immutable parallel safe as $$
    select v is null or btrim(v) in ({values})
        or {datetimes}
$$;

-- A calendar date from its parts, or NULL when there is no such day (never an error).
create or replace function private.checked_date(y int, m int, d int) returns date
language sql immutable parallel safe as $$
    select case
        when y between 1 and 9999 and m between 1 and 12 and d between 1 and
             extract(day from make_date(y, m, 1) + interval '1 month' - interval '1 day')::int
            then make_date(y, m, d)
    end
$$;

-- Dates: YYYY-MM-DD, SQL Server's YYYY-MM-DD HH:MM:SS[.fff] (time dropped), or DD/MM/YYYY.
-- Written as one expression (no FROM) so PostgreSQL inlines it into the calling query:
-- a per-call function execution made parsing ~50x slower.
create or replace function private.parse_date(v text) returns date
language sql immutable parallel safe as $$
    select case
        when private.is_null_value(v) then null
        when btrim(v) ~ '^\\d{{4}}-\\d{{2}}-\\d{{2}}( \\d{{2}}:\\d{{2}}:\\d{{2}}(\\.\\d{{1,7}})?)?$' then private.checked_date(
            substr(btrim(v), 1, 4)::int, substr(btrim(v), 6, 2)::int, substr(btrim(v), 9, 2)::int)
        when btrim(v) ~ '^\\d{{2}}/\\d{{2}}/\\d{{4}}$' then private.checked_date(
            substr(btrim(v), 7, 4)::int, substr(btrim(v), 4, 2)::int, substr(btrim(v), 1, 2)::int)
    end
$$;

-- Y/N columns also accept Yes/No, True/False and 1/0.
create or replace function private.parse_yn(v text) returns text
language sql immutable parallel safe as $$
    select case lower(btrim(v))
        {yes_no}
    end
$$;

-- Numbers (distances, caseloads): plain decimals only.
create or replace function private.parse_number(v text) returns numeric
language sql immutable parallel safe as $$
    select case when btrim(v) ~ '^-?\\d{{1,12}}(\\.\\d{{1,6}})?$' then btrim(v)::numeric end
$$;

-- Coded columns are compared in this form: trimmed, lower case, inner spaces folded
-- (the same as csc_pipeline.contract.model.normalise_label).
create or replace function private.normalise_label(v text) returns text
language sql immutable parallel safe as $$
    select nullif(lower(regexp_replace(btrim(v), '\\s+', ' ', 'g')), '')
$$;
"""
