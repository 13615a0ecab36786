"""Validate one landed drop in PostgreSQL with the committed Great Expectations suites.

Each drop has been COPYed into its own schema (`landing_<la_code>_<yyyymmdd>`),
one text table per CSV file. Great Expectations runs in an *ephemeral* context:
a Postgres data source whose connection has `search_path` set to the landing
schema (read-only), one table asset and one validation per table present, one
checkpoint with no actions. Nothing is written to disk — no validation results,
no Data Docs, no connection string — and the committed suites are only read.

Results are read with a result format that carries no values: table checks
return column names and counts, and the row-level checks are SQL selecting
`source_row` only (rules.py). `issues_from_result` copies row numbers and
counts into the report and nothing else.
"""

from __future__ import annotations

import logging
import os
import re
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import psycopg

from ..contract import TABLES, TABLES_BY_NAME, Table
from ..warehouse.connection import sqlalchemy_url
from .report import MAX_SAMPLE_ROWS, Issue, ValidationReport, make_issue
from .rules import ROW_NUMBER_COLUMN, RULES, Severity
from .suites import load_suites

if TYPE_CHECKING:
    from great_expectations.core.expectation_validation_result import (
        ExpectationSuiteValidationResult,
        ExpectationValidationResult,
    )

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

log = logging.getLogger(__name__)

# COMPLETE is needed for UnexpectedRowsExpectation to return its rows, which hold
# `source_row` and nothing else (rules.unexpected_rows_query). Table expectations return
# column names and counts. COMPLETE would return every unexpected *value* of a column map
# expectation (expect_column_values_to_...): that is why a suite may hold only the types in
# suites.ALLOWED_EXPECTATION_TYPES, checked each time the suites are loaded. The other keys
# keep partial lists, unexpected rows and index queries off should that check ever change.
RESULT_FORMAT: dict[str, Any] = {
    "result_format": "COMPLETE",
    "partial_unexpected_count": 0,
    "include_unexpected_rows": False,
    "return_unexpected_index_query": False,
}

_SCHEMA_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
# Unknown names are shown only when they look like a column or table of the contract:
# a file without its header row would otherwise turn a child's details into "column names".
_CONTRACT_LIKE_NAME = re.compile(r"^[a-z][a-z0-9_]{0,62}$")


class LandingSchemaError(ValueError):
    pass


def landing_url(dsn: str, landing_schema: str) -> str:
    """SQLAlchemy URL for GX: the landing schema first on the search path, read-only."""
    parts = urlsplit(sqlalchemy_url(dsn))
    query = parse_qsl(parts.query, keep_blank_values=True)
    options = " ".join(v for k, v in query if k == "options")
    options = f"{options} -c search_path={landing_schema} -c default_transaction_read_only=on".strip()
    query = [(k, v) for k, v in query if k != "options"] + [("options", options)]
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), parts.fragment))


def _column_prefix(table: Table) -> str:
    return table.primary_key.name.split("_", 1)[0] + "_"


def _check_landing_schema(dsn: str, landing_schema: str, tables: list[str]) -> None:
    if not _SCHEMA_NAME.match(landing_schema):
        raise LandingSchemaError(f"{landing_schema!r} is not a landing schema name (lower case letters, digits, _).")
    with psycopg.connect(dsn) as conn:
        found = {
            r[0]
            for r in conn.execute(
                "select table_name from information_schema.tables where table_schema = %s", (landing_schema,)
            )
        }
        if not found and not conn.execute(
            "select 1 from information_schema.schemata where schema_name = %s", (landing_schema,)
        ).fetchone():
            raise LandingSchemaError(f"Landing schema {landing_schema} does not exist: land the drop first.")
    missing = [t for t in tables if t not in found]
    if missing:
        raise LandingSchemaError(
            f"Landing schema {landing_schema} has no table {', '.join(missing)}, "
            "though the drop lists it: land the drop again."
        )


def validate_drop(
    dsn: str,
    landing_schema: str,
    *,
    tables_present: list[str],
    project_root: Path | None = None,
) -> ValidationReport:
    """Check a landed drop against the contract; `success` is False if anything blocks.

    `tables_present`: the contract tables (file names without `.csv`) the drop holds,
    each landed as `<landing_schema>.<table>`. `project_root`: the GX project folder
    (default: the committed `expectations/`).
    """
    started = time.perf_counter()
    present = list(dict.fromkeys(tables_present))
    issues: list[Issue] = []
    for name in present:
        if name not in TABLES_BY_NAME:
            shown = name if _CONTRACT_LIKE_NAME.match(name) else "(a file whose name is not a table name)"
            issues.append(make_issue("unknown_table", shown))
    for table in TABLES:
        if table.required and table.name not in present:
            issues.append(make_issue("required_table", table.name))

    known = [t.name for t in TABLES if t.name in present]
    if known:
        _check_landing_schema(dsn, landing_schema, known)
        results = _run_gx(dsn, landing_schema, known, project_root)
        for name, suite_result in results.items():
            issues.extend(issues_from_result(TABLES_BY_NAME[name], suite_result))

    report = ValidationReport.from_issues(issues)
    log.info(
        "validated %s: %d tables, %d blocking, %d warnings in %.1f s",
        landing_schema, len(known), len(report.blocking), len(report.warnings), time.perf_counter() - started,
    )
    return report


def _run_gx(
    dsn: str, landing_schema: str, tables: list[str], project_root: Path | None
) -> dict[str, ExpectationSuiteValidationResult]:
    """One validation per table, run as one checkpoint in a fresh ephemeral context."""
    suites = load_suites(tables, project_root)

    import great_expectations as gx

    context = _ephemeral_context()
    datasource = context.data_sources.add_postgres(
        name=landing_schema, connection_string=landing_url(dsn, landing_schema)
    )
    try:
        definitions = []
        for name in tables:
            asset = datasource.add_table_asset(name=name, table_name=name)
            batch = asset.add_batch_definition_whole_table("whole_table")
            suite = context.suites.add(suites[name])
            definitions.append(
                context.validation_definitions.add(gx.ValidationDefinition(name=name, data=batch, suite=suite))
            )
        checkpoint = context.checkpoints.add(
            gx.Checkpoint(
                name=landing_schema, validation_definitions=definitions, actions=[], result_format=RESULT_FORMAT
            )
        )
        result = checkpoint.run()
    finally:
        # GX's execution engine holds its own SQLAlchemy engine beside the data source's.
        datasource.get_execution_engine().close()
        datasource.get_engine().dispose()
    by_table = {}
    for suite_result in result.run_results.values():
        by_table[suite_result.suite_name] = suite_result
    return by_table


def _ephemeral_context():
    """An in-memory context: no stores on disk, no Data Docs site at all, no progress bars."""
    import great_expectations as gx
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        InMemoryStoreBackendDefaults,
        ProgressBarsConfig,
    )

    config = DataContextConfig(
        store_backend_defaults=InMemoryStoreBackendDefaults(init_temp_docs_sites=False),
        progress_bars=ProgressBarsConfig(globally=False),
        analytics_enabled=False,
    )
    return gx.get_context(mode="ephemeral", project_config=config)


def issues_from_result(table: Table, suite_result: ExpectationSuiteValidationResult) -> list[Issue]:
    """Turn one table's GX result into issues, copying only names from the contract,
    counts and row numbers."""
    issues: list[Issue] = []
    missing_columns: set[str] = set()
    errors: list[tuple[str, str | None, str]] = []
    for r in suite_result.results:
        config = r.expectation_config
        meta = config.meta or {}
        rule = meta.get("rule")
        if rule not in RULES:
            log.warning("%s: result of an expectation without a known rule ignored (%s)", table.name, config.type)
            continue
        column = meta.get("column")
        gx_severity = str(getattr(config.severity, "value", config.severity))
        severity: Severity = "blocking" if gx_severity == "critical" else "warning"
        error = _exception_type(r)
        if error:
            log.warning("%s: check %s%s raised %s", table.name, rule, f" on {column}" if column else "", error)
            errors.append((rule, column, error))
            continue
        if r.success:
            continue
        result = r.result or {}
        if rule == "required_column":
            for col in _mismatched(result, "missing"):
                name = _contract_column(table, col)
                missing_columns.add(name)
                issues.append(make_issue(rule, table.name, name, severity=severity))
        elif rule == "unknown_column":
            issues.extend(_unknown_column_issues(table, _mismatched(result, "unexpected"), severity))
        elif rule == "table_not_empty":
            issues.append(make_issue(rule, table.name, severity=severity))
        else:  # row-level: observed_value is the count, details.unexpected_rows the source_row numbers
            rows = int(result.get("observed_value") or 0)
            samples = _sample_rows(result)
            issues.append(make_issue(rule, table.name, column, rows=rows, sample_rows=samples, severity=severity))
    for rule, column, error in errors:
        if column in missing_columns:
            continue  # the check needs a column already reported missing
        issues.append(
            make_issue(
                "check_error", table.name, column,
                message=f"check '{RULES[rule].message}' could not be run ({error})",
            )
        )
    return issues


def _exception_type(r: ExpectationValidationResult) -> str | None:
    """The class of the exception if the check raised, e.g. `UndefinedColumn`.

    Only the class is kept: exception messages quote SQL and, for some database
    errors, the offending value."""
    info = r.exception_info or {}
    candidates = [info] + [v for v in info.values() if isinstance(v, dict)]
    for c in candidates:
        if c.get("raised_exception"):
            message = str(c.get("exception_message") or "")
            match = re.match(r"^\(([A-Za-z_][\w.]*)\)", message) or re.match(r"^([A-Za-z_][\w.]*(?:Error|Exception))\b", message)
            return match.group(1).rsplit(".", 1)[-1] if match else "error"
    return None


def _mismatched(result: dict[str, Any], key: str) -> list[str]:
    return [str(c) for c in ((result.get("details") or {}).get("mismatched") or {}).get(key, [])]


def _contract_column(table: Table, name: str) -> str:
    for c in table.column_names:
        if c.lower() == name.lower():
            return c
    return name


def _unknown_column_issues(table: Table, names: list[str], severity: Severity) -> list[Issue]:
    prefix = _column_prefix(table)
    shown = sorted(n for n in names if _CONTRACT_LIKE_NAME.match(n) and n.startswith(prefix))
    withheld = len(names) - len(shown)
    issues = [make_issue("unknown_column", table.name, n, severity=severity) for n in shown]
    if withheld:
        issues.append(
            make_issue(
                "unknown_column", table.name, severity=severity,
                message=(
                    f"{withheld} column{'s' * (withheld != 1)} not in the contract, names withheld because they "
                    f"do not look like {prefix}… column names (is the header row missing?)"
                ),
            )
        )
    return issues


def _sample_rows(result: dict[str, Any]) -> list[int]:
    rows = (result.get("details") or {}).get("unexpected_rows") or []
    numbers = []
    for row in rows:
        value = row.get(ROW_NUMBER_COLUMN) if isinstance(row, dict) else None
        if isinstance(value, int) and not isinstance(value, bool):
            numbers.append(value)
    return sorted(numbers)[:MAX_SAMPLE_ROWS]
