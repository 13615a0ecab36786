"""The rules of the extract contract that validation checks, derived from `contract.TABLES`.

Each rule has an id (what reports, audit rows and alerts carry), the short
sentence a data team reads ("primary key not unique") and a default severity:
`blocking` quarantines the drop (extract-contract.md §5), `warning` is reported
and loaded. The checks themselves are Great Expectations expectations built in
`suites.py`; row-level checks are SQL run in PostgreSQL that select `source_row`
and nothing else, so no value from the file can reach a result or a report.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from psycopg import sql

Severity = Literal["blocking", "warning"]


@dataclass(frozen=True)
class Rule:
    id: str
    message: str  # what a reader sees after "table.column: "
    severity: Severity
    level: Literal["drop", "table", "column"]


_RULES = (
    # Found while landing the files, before Great Expectations runs.
    Rule("manifest_unreadable", "manifest.json missing keys or not JSON", "blocking", "drop"),
    Rule("manifest_folder_mismatch", "manifest la_code or extract_date differs from the folder", "blocking", "drop"),
    Rule("unsupported_encoding", "manifest names an encoding the pipeline cannot read", "blocking", "drop"),
    Rule("manifest_missing_file", "file listed in the manifest is missing", "blocking", "table"),
    Rule("file_not_in_manifest", "file not listed in the manifest", "blocking", "table"),
    Rule("manifest_checksum", "sha256 differs from the manifest (changed or truncated after it was written)",
         "blocking", "table"),
    Rule("manifest_row_count", "number of records differs from the manifest", "blocking", "table"),
    Rule("unreadable_file", "file is not valid CSV in its declared encoding", "blocking", "table"),
    Rule("duplicate_header", "duplicate or empty column header", "blocking", "table"),
    # Checked by the Great Expectations suites in the landing schema.
    Rule("required_table", "required table missing from the drop", "blocking", "drop"),
    Rule("unknown_table", "table not in the contract (ignored)", "warning", "drop"),
    Rule("required_column", "required column missing", "blocking", "table"),
    Rule("unknown_column", "column not in the contract (ignored)", "warning", "table"),
    Rule("table_not_empty", "required table has no rows", "blocking", "table"),
    Rule("not_null", "value missing", "blocking", "column"),
    Rule("primary_key_unique", "primary key not unique", "blocking", "column"),
    # A check that raised instead of answering: the drop cannot be called good.
    Rule("check_error", "check could not be run", "blocking", "table"),
)
RULES: dict[str, Rule] = {r.id: r for r in _RULES}
RULE_ORDER: dict[str, int] = {r.id: i for i, r in enumerate(_RULES)}

# Columns the landing step adds to every table (not part of the file).
LANDING_COLUMNS = ("la_code", "extract_date", "source_row", "row_hash")

# The only column a row-level check may return.
ROW_NUMBER_COLUMN = "source_row"


def _ident(name: str) -> str:
    return sql.Identifier(name).as_string(None)


def unexpected_rows_query(where: str) -> str:
    """A row-level check: the rows of the batch that break a rule, by `source_row` only.

    `{batch}` is replaced by Great Expectations with the table being validated.
    Ordered so that the first rows GX fetches are the lowest row numbers (the samples).
    """
    return f"select {ROW_NUMBER_COLUMN} from {{batch}} where {where} order by {ROW_NUMBER_COLUMN}"


def not_null_query(column: str) -> str:
    # Empty strings and the SSD placeholders mean NULL (§2): private.is_null_value.
    return unexpected_rows_query(f"private.is_null_value({_ident(column)})")


def unique_query(column: str) -> str:
    """Rows whose key (trimmed) occurs more than once; missing keys are the not-null rule's."""
    c = _ident(column)
    return (
        f"select {ROW_NUMBER_COLUMN} from ("
        f"select {ROW_NUMBER_COLUMN}, count(*) over (partition by btrim({c})) as n "
        f"from {{batch}} where not private.is_null_value({c})"
        f") as keyed where n > 1 order by {ROW_NUMBER_COLUMN}"
    )
