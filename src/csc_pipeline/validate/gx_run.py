"""Great Expectations over a drop's results table: one validation per table, its suite (built
from the contract's checks, `suites.suite_for`) against `_csc_checks`, all in one checkpoint.

The context is ephemeral (nothing is written under `expectations/`), the data source a Postgres
connection whose `search_path` is the landing schema, read-only. When asked, the checkpoint also
builds a Data Docs site into a folder outside the checkout, then has data_docs.py make its pages
work offline. Only this module imports GX.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from csc_pipeline.contract.rules import RULES, Severity
from csc_pipeline.warehouse.connection import sqlalchemy_url

from .check_results import RESULTS_TABLE
from .checks import Check
from .data_docs import FailedCheck, TableResult, make_site_offline
from .suites import expectation_for

if TYPE_CHECKING:
    from great_expectations.core.expectation_validation_result import ExpectationSuiteValidationResult

# Before great_expectations is imported anywhere in the pipeline.
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

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



def landing_url(dsn: str, landing_schema: str) -> str:
    """SQLAlchemy URL for GX: the landing schema first on the search path, read-only."""
    parts = urlsplit(sqlalchemy_url(dsn))
    query = parse_qsl(parts.query, keep_blank_values=True)
    options = " ".join(v for k, v in query if k == "options")
    options = f"{options} -c search_path={landing_schema} -c default_transaction_read_only=on".strip()
    query = [(k, v) for k, v in query if k != "options"] + [("options", options)]
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), parts.fragment))


def run_gx(
    dsn: str, landing_schema: str, checks: dict[str, list[Check]], severities: dict[str, dict[str, Severity]],
    data_docs_dir: Path | None, data_docs_title: str = "Validation",
) -> dict[str, ExpectationSuiteValidationResult]:
    """One validation definition per table (its suite, built from `checks`, against the results table),
    all run by one checkpoint; with a Data Docs folder, the checkpoint's action builds the site there
    and its pages are made to work offline (index headed `data_docs_title`).
    `severities`: table -> check id -> the severity configured for this drop."""
    import great_expectations as gx

    context = _ephemeral_context()
    datasource = context.data_sources.add_postgres(
        name=landing_schema, connection_string=landing_url(dsn, landing_schema)
    )
    try:
        asset = datasource.add_table_asset(name="checks", table_name=RESULTS_TABLE)
        batch = asset.add_batch_definition_whole_table("whole_table")
        actions = []
        if data_docs_dir is not None:
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
            actions.append(UpdateDataDocsAction(name="data_docs", site_names=[DOCS_SITE]))
        definitions = []
        for name, table_checks in checks.items():
            # The SQL of each check has been run (sql_pass); GX needs only which check each is.
            suite = gx.ExpectationSuite(name=name, expectations=[
                expectation_for(c, severity=severities[name][c.id], lean=True) for c in table_checks])
            definitions.append(context.validation_definitions.add(
                gx.ValidationDefinition(name=name, data=batch, suite=context.suites.add(suite))))
        checkpoint = context.checkpoints.add(gx.Checkpoint(
            name=landing_schema, validation_definitions=definitions, result_format=RESULT_FORMAT, actions=actions))
        result = checkpoint.run()
        by_table = {r.suite_name: r for r in result.run_results.values()}
        if data_docs_dir is not None:
            make_site_offline(data_docs_dir, [_table_result(n, r) for n, r in by_table.items()], data_docs_title)
        return by_table
    finally:
        # GX's execution engine holds its own SQLAlchemy engine beside the data source's.
        datasource.get_execution_engine().close()
        datasource.get_engine().dispose()


def _table_result(table: str, result: ExpectationSuiteValidationResult) -> TableResult:
    """What the site's index shows of a table: its status, and each failed check's description,
    severity and, for a row check, its number of rows (GX's observed value: a count, never a value)."""
    failed = []
    for r in result.results:
        if r.success:
            continue
        config = r.expectation_config
        severity = "blocking" if str(getattr(config.severity, "value", config.severity)) == "critical" else "warning"
        info = r.exception_info or {}
        raised = any(isinstance(v, dict) and v.get("raised_exception") for v in [info, *info.values()])
        unexpected = (r.result or {}).get("details", {}).get("unexpected_rows") or [{}]
        errored = isinstance(unexpected[0], dict) and bool(unexpected[0].get("error"))
        observed = (r.result or {}).get("observed_value")
        rule = RULES.get((config.meta or {}).get("rule"))
        # Only a row check's count is of rows (a table check counts columns, or the change in rows).
        rows = observed if isinstance(observed, int) and rule is not None and rule.level == "row" else None
        failed.append(FailedCheck(config.description or config.type, severity, rows, error=raised or errored))
    failed.sort(key=lambda f: (f.severity != "blocking", f.description))
    return TableResult(table, bool(result.success), int(result.statistics.get("evaluated_expectations") or 0), failed)


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
