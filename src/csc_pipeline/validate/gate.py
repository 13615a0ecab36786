"""Validate one landed drop in PostgreSQL with the committed Great Expectations suites.

Each drop has been COPYed into its own schema (`landing_<la_code>_<yyyymmdd>`),
one text table per CSV file. For every table present the gate reads its suite,
builds from the suite's checks ONE SQL pass over the table (sqlpass.py) and
writes one row per check into `<landing schema>._csc_checks`: status, number of
rows, up to five `source_row` numbers, and for coded non-personal columns the
unmapped values. Great Expectations then runs in an *ephemeral* context — a
Postgres data source whose connection has `search_path` set to the landing
schema, read-only — with one validation per table (its suite against that
results table) in one checkpoint. Nothing is written under `expectations/`:
the committed suites are only read. When asked, the checkpoint also builds a
Data Docs site into a folder outside the checkout (config.py).

`issues_from_result` turns GX's answer into the report: names from the contract,
counts, row numbers and unmapped labels, nothing else.
"""

from __future__ import annotations

import logging
import os
import re
import time
from collections.abc import Collection
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import psycopg
from psycopg import sql

from csc_pipeline.contract import TABLES, TABLES_BY_NAME, Table
from csc_pipeline.warehouse.connection import sqlalchemy_url
from .checks import Check
from csc_pipeline.deployment import ValidationConfig
from .mapping import council_labels
from csc_pipeline.issues import MAX_SAMPLE_ROWS, Issue, ValidationReport, make_issue
from csc_pipeline.contract.rules import CONTRACT_LIKE_NAME, RULES, Severity
from .sqlpass import RESULTS_TABLE, DropContext, run_checks, write_results
from .suites import GX_SEVERITY, check_from, load_suites

if TYPE_CHECKING:
    from great_expectations.core.expectation_suite import ExpectationSuite
    from great_expectations.core.expectation_validation_result import ExpectationSuiteValidationResult

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

log = logging.getLogger(__name__)

# COMPLETE returns the unexpected rows of an UnexpectedRowsExpectation: here the check's row of
# the results table (counts, row numbers, unmapped labels). The other keys keep partial lists and
# index queries off.
RESULT_FORMAT: dict[str, Any] = {
    "result_format": "COMPLETE",
    "partial_unexpected_count": 0,
    "include_unexpected_rows": False,
    "return_unexpected_index_query": False,
}
DOCS_SITE = "csc_validation"

# How long the last validate_drop spent in each part (read by the benchmark).
LAST_TIMINGS: dict[str, float] = {}

_SCHEMA_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


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


def landed_columns(conn: psycopg.Connection, landing_schema: str, tables: list[str]) -> dict[str, list[str]]:
    if not _SCHEMA_NAME.match(landing_schema):
        raise LandingSchemaError(f"{landing_schema!r} is not a landing schema name (lower case letters, digits, _).")
    columns: dict[str, list[str]] = {}
    for table, column in conn.execute(
        "select table_name, column_name from information_schema.columns where table_schema = %s"
        " order by table_name, ordinal_position", (landing_schema,)
    ):
        columns.setdefault(table, []).append(column)
    if not columns and not conn.execute(
        "select 1 from information_schema.schemata where schema_name = %s", (landing_schema,)
    ).fetchone():
        raise LandingSchemaError(f"Landing schema {landing_schema} does not exist: land the drop first.")
    missing = [t for t in tables if t not in columns]
    if missing:
        raise LandingSchemaError(
            f"Landing schema {landing_schema} has no table {', '.join(missing)}, "
            "though the drop lists it: land the drop again."
        )
    return {t: columns[t] for t in tables}


def validate_drop(
    dsn: str,
    landing_schema: str,
    *,
    tables_present: list[str],
    la_code: str | None = None,
    extract_date: date | None = None,
    config: ValidationConfig | None = None,
    accepted_rules: Collection[str] = (),
    data_docs_dir: Path | None = None,
    data_docs_only_if_failed: bool = False,
    project_root: Path | None = None,
) -> ValidationReport:
    """Check a landed drop against the contract; `success` is False if anything blocks.

    `tables_present`: the files of the drop (names without `.csv`), each contract table
    landed as `<landing_schema>.<table>`. `la_code` and `extract_date` default to those
    the landed rows carry. `config`: thresholds and severities (default: built-in
    defaults). `accepted_rules`: rules an operator accepted for this drop (csc accept):
    reported as warnings. `data_docs_dir`: build a Data Docs site there (with
    `data_docs_only_if_failed`, only when a check failed).
    `project_root`: the GX project folder (default: the committed `expectations/`).
    """
    started = time.perf_counter()
    config = config or ValidationConfig()
    present = list(dict.fromkeys(tables_present))
    issues: list[Issue] = []
    for name in present:
        if name not in TABLES_BY_NAME:
            shown = name if CONTRACT_LIKE_NAME.match(name) else "(a file whose name is not a table name)"
            issues.append(make_issue("unknown_table", shown, severity=_severity(config, "unknown_table", accepted_rules)))
    for table in TABLES:
        if table.required and table.name not in present:
            issues.append(make_issue("required_table", table.name,
                                     severity=_severity(config, "required_table", accepted_rules)))

    known = [t.name for t in TABLES if t.name in present]
    if known:
        suites = load_suites(known, project_root)
        with psycopg.connect(dsn) as conn:
            columns = landed_columns(conn, landing_schema, known)
            la_code, extract_date = _drop_identity(conn, landing_schema, known, la_code, extract_date)
            conn.execute("select private.fill_calendar()")
            ctx = DropContext(
                schema=landing_schema, la_code=la_code, extract_date=extract_date, columns=columns,
                council_labels=council_labels(conn, la_code),
                previous_rows=previous_row_counts(conn, la_code), config=config,
            )
            checks = {name: [check_from(e.configuration, name) for e in suites[name].expectations] for name in known}
            conn.commit()  # the calendar, for the other connections run_checks opens
            results = run_checks(conn, ctx, checks, connect=lambda: psycopg.connect(dsn, autocommit=True))
            write_results(conn, landing_schema, results)
            conn.commit()
        if data_docs_only_if_failed and not issues and all(r.status in ("passed", "skipped") for r in results):
            data_docs_dir = None
        passed = time.perf_counter()
        gx_results = _run_gx(dsn, landing_schema, suites, checks, config, accepted_rules, data_docs_dir)
        for name, suite_result in gx_results.items():
            issues.extend(issues_from_result(TABLES_BY_NAME[name], suite_result, accepted_rules))
        LAST_TIMINGS.update(sql_pass_s=passed - started, gx_s=time.perf_counter() - passed)
        log.info("validated %s: SQL pass %.1f s, Great Expectations %.1f s", landing_schema,
                 passed - started, time.perf_counter() - passed)

    report = ValidationReport.from_issues(issues)
    log.info(
        "validated %s: %d tables, %d blocking, %d warnings in %.1f s",
        landing_schema, len(known), len(report.blocking), len(report.warnings), time.perf_counter() - started,
    )
    return report


def _severity(config: ValidationConfig, rule: str, accepted: Collection[str], default: Severity | None = None
              ) -> Severity:
    return "warning" if rule in accepted else config.severity_of(rule, default)


def _drop_identity(conn, schema: str, tables: list[str], la_code: str | None, extract_date: date | None
                   ) -> tuple[str, date]:
    """The council and date the landed rows carry (the landing step stamps every row)."""
    if la_code and extract_date:
        return la_code, extract_date
    for table in tables:
        row = conn.execute(sql.SQL("select la_code, extract_date from {} limit 1").format(
            sql.Identifier(schema, table))).fetchone()
        if row:
            return la_code or row[0], extract_date or row[1]
    if not (la_code and extract_date):
        raise LandingSchemaError(f"{schema}: every table is empty; pass la_code and extract_date")
    return la_code, extract_date


def previous_row_counts(conn: psycopg.Connection, la_code: str) -> dict[str, int]:
    """Rows per table in the council's last good drop (published or accepted), from audit.load_tables."""
    rows = conn.execute(
        """
        select t.table_name, t.row_count from audit.load_tables t
        where t.present and t.load_id = (
            select load_id from audit.loads where la_code = %s and status in ('published', 'accepted')
            order by extract_date desc, load_id desc limit 1)
        """,
        (la_code,),
    ).fetchall()
    return {name: int(n) for name, n in rows}


# -- Great Expectations -----------------------------------------------------------------------

def _run_gx(
    dsn: str, landing_schema: str, suites: dict[str, ExpectationSuite], checks: dict[str, list[Check]],
    config: ValidationConfig, accepted: Collection[str], data_docs_dir: Path | None,
) -> dict[str, ExpectationSuiteValidationResult]:
    """One validation per table: its suite against the results table (`checks`: the checks
    read from each suite's expectations, in their order).

    With a Data Docs folder: validation definitions run by one checkpoint whose action
    builds the site. Without: each suite is run by GX's Validator directly — what
    ValidationDefinition.run does inside, without the store round trips and freshness
    checks that take some 40% of GX's time and serve only the stores (and so the docs)."""
    import great_expectations as gx

    context = _ephemeral_context()
    datasource = context.data_sources.add_postgres(
        name=landing_schema, connection_string=landing_url(dsn, landing_schema)
    )
    try:
        asset = datasource.add_table_asset(name="checks", table_name=RESULTS_TABLE)
        batch = asset.add_batch_definition_whole_table("whole_table")
        for name, suite in suites.items():
            for e, check in zip(suite.expectations, checks[name], strict=True):
                e.severity = GX_SEVERITY[_severity(config, check.rule, accepted, check.severity)]
                # The SQL in the meta has been run (sqlpass); GX needs only which check this is.
                # (A third of GX's time goes into copying and serialising meta.)
                e.meta = {"rule": check.rule, "column": check.column, "check": check.id}
        if data_docs_dir is None:
            from great_expectations.validator.v1_validator import Validator

            return {name: Validator(batch_definition=batch, result_format=RESULT_FORMAT)
                    .validate_expectation_suite(suite) for name, suite in suites.items()}

        from great_expectations.checkpoint import UpdateDataDocsAction

        data_docs_dir.mkdir(parents=True, exist_ok=True)
        context.add_data_docs_site(DOCS_SITE, {
            "class_name": "SiteBuilder",
            "show_how_to_buttons": False,
            "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(data_docs_dir)},
            "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
            # The night's validation pages only: the suites' own pages are the same every night.
            "site_section_builders": {"expectations": "0", "profiling": "0"},
        })
        definitions = [
            context.validation_definitions.add(
                gx.ValidationDefinition(name=name, data=batch, suite=context.suites.add(suite)))
            for name, suite in suites.items()
        ]
        checkpoint = context.checkpoints.add(
            gx.Checkpoint(
                name=landing_schema, validation_definitions=definitions, result_format=RESULT_FORMAT,
                actions=[UpdateDataDocsAction(name="data_docs", site_names=[DOCS_SITE])],
            )
        )
        result = checkpoint.run()
        return {r.suite_name: r for r in result.run_results.values()}
    finally:
        # GX's execution engine holds its own SQLAlchemy engine beside the data source's.
        datasource.get_execution_engine().close()
        datasource.get_engine().dispose()


def _ephemeral_context():
    """An in-memory context: no stores on disk, no Data Docs site unless one is added, no progress bars."""
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


def issues_from_result(
    table: Table, suite_result: ExpectationSuiteValidationResult, accepted: Collection[str] = ()
) -> list[Issue]:
    """Turn one table's GX result into issues: names from the contract, counts, row numbers,
    and unmapped labels of coded non-personal columns."""
    issues: list[Issue] = []
    errors: dict[str, int] = {}
    for r in suite_result.results:
        config = r.expectation_config
        meta = config.meta or {}
        rule = meta.get("rule")
        if rule not in RULES:
            log.warning("%s: result of an expectation without a known rule ignored (%s)", table.name, config.type)
            continue
        if r.success:
            continue
        severity: Severity = "blocking" if str(getattr(config.severity, "value", config.severity)) == "critical" \
            else "warning"
        note = " (accepted by the operator)" if rule in accepted else ""
        if r.exception_info and any(_raised(v) for v in [r.exception_info, *r.exception_info.values()]):
            errors["GreatExpectationsError"] = errors.get("GreatExpectationsError", 0) + 1
            continue
        rows = (r.result or {}).get("details", {}).get("unexpected_rows") or []
        row = rows[0] if rows and isinstance(rows[0], dict) else {}
        if row.get("error"):
            errors[str(row["error"])] = errors.get(str(row["error"]), 0) + 1
            continue
        column = meta.get("column")
        detail = row.get("detail") or {}
        violations = int((r.result or {}).get("observed_value") or 0)  # rows breaking the rule
        message = RULES[rule].message + note
        if rule == "required_column":
            for name in detail.get("columns", []):
                issues.append(make_issue(rule, table.name, _contract_column(table, name), severity=severity,
                                         message=message))
        elif rule == "unknown_column":
            for name in detail.get("columns", []):
                issues.append(make_issue(rule, table.name, name, severity=severity, message=message))
            withheld = int(detail.get("withheld") or 0)
            if withheld:
                issues.append(make_issue(rule, table.name, severity=severity, message=(
                    f"{withheld} column{'s' * (withheld != 1)} not in the contract, names withheld because they "
                    f"do not look like {detail.get('prefix', '')}… column names (is the header row missing?)")))
        elif rule in ("volume_shrink", "volume_growth"):
            issues.append(make_issue(rule, table.name, severity=severity, message=(
                f"{message}: {detail.get('rows')} rows, {detail.get('previous')} in the last good drop "
                f"({detail.get('change_pct'):+.1f}%; limit {detail.get('limit_pct'):g}%)")))
        elif rule == "table_not_empty":
            issues.append(make_issue(rule, table.name, severity=severity, message=message))
        else:
            samples = [n for n in (row.get("sample_rows") or []) if isinstance(n, int) and not isinstance(n, bool)]
            issues.append(make_issue(rule, table.name, column, rows=violations, severity=severity,
                                     sample_rows=sorted(samples)[:MAX_SAMPLE_ROWS], message=message,
                                     values=_values(table, column, detail)))
    for error, n in errors.items():
        issues.append(make_issue(
            "check_error", table.name,
            message=f"{n} check{'s' * (n != 1)} could not be run ({error})",
        ))
    return issues


def _raised(info: Any) -> bool:
    return isinstance(info, dict) and bool(info.get("raised_exception"))


def _values(table: Table, column: str | None, detail: dict) -> list[list]:
    """Unmapped labels, only ever for a coded column not marked as personal data."""
    if not column or column not in table.column_names:
        return []
    c = table.column(column)
    if c.pii or c.type != "code":
        return []
    return [[str(v)[:200], n] for v, n in detail.get("values", [])]


def _contract_column(table: Table, name: str) -> str:
    for c in table.column_names:
        if c.lower() == name.lower():
            return c
    return name


__all__ = ["validate_drop", "issues_from_result", "landing_url", "previous_row_counts", "LandingSchemaError", "Check"]
