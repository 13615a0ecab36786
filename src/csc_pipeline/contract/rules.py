"""The rules of the extract contract that validation enforces: ids, wording, default severity.

Each rule has an id (what reports, audit rows, alerts and configuration carry), the
short sentence a data team reads after "table.column: " and a default severity:
`blocking` quarantines the drop (extract-contract.md §5), `warning` is reported and
loaded. Severities are configuration (deployment.py: `CSC_SEVERITY`, or a council's
`severity:` in the deployment file); `acceptable` rules may be accepted by an
operator after review (`csc accept`), the others would break the load itself.

Where each rule is checked:
  - `landing`: while the files are COPYed in (load/copy_in.py) or by the night's land step;
  - `drop`: by the gate, from the list of files;
  - `table` / `row`: by the Great Expectations suites (validate/gx_run.py), which evaluate the
    results of one generated SQL pass per table (validate/sql_pass.py). Row rules select
    `source_row` numbers and counts only, never values.

The per-table checks themselves are generated from the contract in checks.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

Severity = Literal["blocking", "warning"]
Level = Literal["landing", "drop", "table", "row"]


@dataclass(frozen=True)
class Rule:
    id: str
    message: str  # what a reader sees after "table.column: "
    severity: Severity
    level: Level
    acceptable: bool = True  # may an operator accept a drop that breaks it (csc accept)?
    knob: str = ""  # the configuration that tunes it, besides its severity (docs/validation.md)


_RULES = (
    # Found while landing the files, before Great Expectations runs.
    Rule("manifest_unreadable", "manifest.json missing keys or not JSON", "blocking", "landing", acceptable=False),
    Rule("unsafe_path", "symbolic link, or a path outside the drop's folder: refused, not opened", "blocking",
         "landing", acceptable=False),
    Rule("extract_in_future", "extract date or extracted_at after the time of the run", "blocking", "landing",
         acceptable=False, knob="future_tolerance_hours"),
    Rule("manifest_folder_mismatch", "manifest la_code or extract_date differs from the folder", "blocking",
         "landing", acceptable=False),
    Rule("la_code_unknown", "la_code is not the GSS code of an English authority with children's services "
         "(E06, E08, E09, E10), or not a council this deployment accepts", "blocking", "landing", acceptable=False, knob="CSC_COUNCILS / councils:"),
    Rule("unsupported_encoding", "manifest names an encoding the pipeline cannot read", "blocking", "landing",
         acceptable=False),
    Rule("label_mapping_invalid", "the council's label mapping file cannot be used", "blocking", "landing",
         acceptable=False, knob="label_mapping"),
    Rule("manifest_missing_file", "file listed in the manifest is missing", "blocking", "landing"),
    Rule("file_not_in_manifest", "file not listed in the manifest", "blocking", "landing"),
    Rule("manifest_checksum", "sha256 differs from the manifest (changed or truncated after it was written)",
         "blocking", "landing"),
    Rule("manifest_row_count", "number of records differs from the manifest", "blocking", "landing"),
    Rule("file_encoding", "bytes that are not valid in the declared encoding (UTF-8 unless the manifest names "
         "another, e.g. \"encoding\": \"cp1252\")", "blocking", "landing", acceptable=False),
    Rule("unreadable_file", "file is not valid CSV in its declared encoding", "blocking", "landing",
         acceptable=False),
    Rule("file_empty", "file is empty (0 bytes, not even a header row)", "blocking", "landing"),
    Rule("duplicate_header", "a contract column's header repeated", "blocking", "landing", acceptable=False),
    # Checked by the gate and the Great Expectations suites in the landing schema.
    Rule("required_table", "required table missing from the drop", "blocking", "drop", acceptable=False),
    Rule("unknown_table", "table not in the contract (ignored)", "warning", "drop"),
    Rule("required_column", "required column missing", "blocking", "table", acceptable=False),
    Rule("unknown_column", "column not in the contract (ignored)", "warning", "table"),
    Rule("optional_column_missing", "optional column missing from the file: loaded empty", "warning", "table"),
    Rule("filled_column_missing", "column missing from the file, but the council's last good drop had values in "
         "it: loading would empty them", "blocking", "table"),
    Rule("table_not_empty", "required table has no rows", "blocking", "table"),
    Rule("not_null", "value missing", "blocking", "row", acceptable=False),
    Rule("primary_key_unique", "primary key not unique", "blocking", "row", acceptable=False),
    Rule("id_format", "identifier mangled by a spreadsheet (like 123.0 or 1.23E+05)", "blocking", "row"),
    Rule("id_leading_zeros", "identifier lost its leading zeros (it matches a zero-padded id of the last "
         "good drop)", "blocking", "row"),
    Rule("date_format", "not a date (YYYY-MM-DD, YYYY-MM-DD HH:MM:SS[.fff] or DD/MM/YYYY)", "blocking", "row"),
    Rule("code_valid", "not a code of its code set, nor its DfE description, nor a label of the council's "
         "mapping file", "blocking", "row", knob="label_mapping"),
    Rule("code_local", "not a DfE code: kept as a local value", "warning", "row", knob="label_mapping"),
    Rule("yn_valid", "not a Y/N value (Y, N, Yes, No, True, False, 1, 0)", "blocking", "row"),
    Rule("number_valid", "not a number", "blocking", "row"),
    Rule("foreign_key", "refers to a row that is not in the drop", "blocking", "row"),
    Rule("date_order", "ends before it starts", "blocking", "row"),
    Rule("before_birth", "dated before the child's date of birth (or expected date of birth)", "blocking", "row"),
    Rule("future_date", "dated after the extract date", "blocking", "row"),
    Rule("review_in_period", "review held outside its period of care", "blocking", "row"),
    # Tolerated but counted (measures.md §2): how many records the measures treat specially.
    Rule("missing_link", "link empty: the record stands alone, never grouped with others through it",
         "warning", "row"),
    Rule("open_after_18", "still open although the child is 18 or over: not counted at period end from the "
         "18th birthday", "warning", "row"),
    Rule("open_after_death", "still open after the child's date of death: not counted at period end from it",
         "warning", "row"),
    Rule("dob_missing", "date of birth missing (and no expected date of birth after the extract date): "
         "age band Not known", "warning", "row"),
    Rule("volume_shrink", "far fewer rows than the last good drop", "blocking", "table",
         knob="volume_shrink_max_pct, volume_min_rows"),
    Rule("volume_growth", "far more rows than the last good drop", "warning", "table",
         knob="volume_growth_max_pct, volume_min_rows"),
    # A check that raised instead of answering: the drop cannot be called good.
    Rule("check_error", "check could not be run", "blocking", "table", acceptable=False),
)
RULES: dict[str, Rule] = {r.id: r for r in _RULES}
RULE_ORDER: dict[str, int] = {r.id: i for i, r in enumerate(_RULES)}


# The only column of a landed file a row-level check may return.
ROW_NUMBER_COLUMN = "source_row"

# Names from a file (unknown columns and tables) are shown only when they look like the
# contract's: a file without its header row would otherwise turn a child's details into names.
CONTRACT_LIKE_NAME = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
