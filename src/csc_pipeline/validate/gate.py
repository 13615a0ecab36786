"""The gate: validate one landed drop in PostgreSQL, as the extract contract says.

Each drop has been COPYed into its own schema (`landing_<la_code>_<yyyymmdd>`), one text table
per CSV file. The gate composes the steps, each in its own module:
  - the checks of every table present, generated from the contract (checks.py);
  - ONE SQL pass per table counting every row check (sql_pass.py, templates in sql_template.py,
    several connections at once: connections.py) and the whole-table checks (table_checks.py),
    written as one row per check into `<landing schema>._csc_checks` (check_results.py);
  - Great Expectations evaluating that table, one validation definition per table in one
    checkpoint, with a Data Docs site when asked (gx_run.py);
  - the report built from GX's answer (gx_results.py).
`validate_landed` adds what a night needs around it: the council's label mapping, the Data Docs
policy (`data_docs`: always, failed, never) and the audit record.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import psycopg
from psycopg import sql

from csc_pipeline.contract import TABLES, TABLES_BY_NAME
from csc_pipeline.contract.rules import CONTRACT_LIKE_NAME, Severity
from csc_pipeline.deployment import ValidationConfig
from csc_pipeline.issues import Issue, ValidationReport, make_issue
from csc_pipeline.load import audit
from csc_pipeline.load.copy_in import LandedDrop, LandingSchemaError, landed_columns, not_read
from csc_pipeline.load.snapshot import filled_columns

from .check_results import DropContext, write_results
from .checks import checks_for
from .data_docs import site_dir
from .gx_results import issues_from_result
from .mapping import MappingError, council_labels, sync_council_labels
from .sql_pass import run_checks

log = logging.getLogger(__name__)

# How long the last validate_drop spent in each part (read by the benchmark).
LAST_TIMINGS: dict[str, float] = {}



@dataclass(frozen=True)
class GateResult:
    report: ValidationReport
    data_docs: Path | None  # the Data Docs page of this validation, when one was written


def validate_landed(conn: psycopg.Connection, dsn: str, landed: LandedDrop, config: ValidationConfig) -> GateResult:
    """The gate for one landed drop: the council's label mapping, then (unless landing found the drop
    unreadable) every check, with Data Docs as `config.data_docs` says (always, only when a check
    failed, never); the report joins the landing problems and is recorded in the audit."""
    drop = landed.drop
    issues = list(landed.issues)
    try:
        sync_council_labels(conn, drop.la_code, config.label_mapping)
    except MappingError as exc:
        issues.append(make_issue("label_mapping_invalid", exc.file.name, message=str(exc.args[0])))
    docs = None
    if not not_read(issues):
        if config.data_docs != "never":
            docs = site_dir(config, drop.la_code, drop.extract_date, landed.load_id)
        issues += validate_drop(
            dsn, landed.schema, tables_present=sorted(landed.tables), la_code=drop.la_code,
            extract_date=drop.extract_date, config=config, data_docs_dir=docs,
            data_docs_only_if_failed=config.data_docs == "failed" and not any(
                i.severity == "blocking" for i in issues),
        ).issues
    report = ValidationReport.from_issues(issues)
    audit.record_validation_outcome(conn, landed.load_id, report)
    for issue in report.issues:
        log.log(logging.ERROR if issue.severity == "blocking" else logging.WARNING, "%s/%s %s",
                drop.la_code, drop.extract_date, issue.to_text())
    index = docs / "index.html" if docs is not None else None
    return GateResult(report, index if index is not None and index.exists() else None)


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
) -> ValidationReport:
    """Check a landed drop against the contract; `success` is False if anything blocks.

    `tables_present`: the files of the drop (names without `.csv`), each contract table
    landed as `<landing_schema>.<table>`. `la_code` and `extract_date` default to those
    the landed rows carry. `config`: thresholds and severities (default: built-in
    defaults). `accepted_rules`: rules an operator accepted for this drop (csc accept):
    reported as warnings. `data_docs_dir`: build a Data Docs site there (with
    `data_docs_only_if_failed`, only when a check failed).
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
        checks = {name: checks_for(TABLES_BY_NAME[name]) for name in known}
        with psycopg.connect(dsn) as conn:
            columns = landed_columns(conn, landing_schema, known)
            la_code, extract_date = _drop_identity(conn, landing_schema, known, la_code, extract_date)
            conn.execute("select private.fill_calendar()")
            ctx = DropContext(
                schema=landing_schema, la_code=la_code, extract_date=extract_date, columns=columns,
                council_labels=council_labels(conn, la_code),
                previous_rows=audit.last_good_row_counts(conn, la_code), config=config,
                previous_filled=_previous_filled(conn, la_code, columns),
            )
            conn.commit()  # the calendar, for the other connections run_checks opens
            results = run_checks(conn, ctx, checks, connect=lambda: psycopg.connect(dsn, autocommit=True))
            write_results(conn, landing_schema, results)
            conn.commit()
        if data_docs_only_if_failed and not issues and all(r.status in ("passed", "skipped") for r in results):
            data_docs_dir = None
        passed = time.perf_counter()
        from .gx_run import run_gx  # Great Expectations: imported only when a drop is validated

        severities = {name: {c.id: _severity(config, c.rule, accepted_rules, c.severity) for c in table_checks}
                      for name, table_checks in checks.items()}
        gx_results = run_gx(dsn, landing_schema, checks, severities, data_docs_dir,
                            data_docs_title=f"Validation of {la_code}/{extract_date}")
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


def _previous_filled(conn: psycopg.Connection, la_code: str, columns: dict[str, list[str]]) -> dict[str, list[str]]:
    """Per table, the optional columns missing from tonight's file that had values in the last good drop."""
    out = {}
    for name, landed in columns.items():
        missing = [c.name for c in TABLES_BY_NAME[name].columns if c.optional and c.name not in landed]
        out[name] = filled_columns(conn, la_code, name, missing)
    return out


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
