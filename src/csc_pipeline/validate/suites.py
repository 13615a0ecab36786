"""Great Expectations suites, one per contract table, generated from `contract.TABLES`.

The suites live in a GX file context under `expectations/` (the JSON in
`expectations/gx/expectations/` is committed; `expectations/gx/uncommitted/` is
not). Never edit the JSON by hand: change the contract, then rebuild with
`write_suites()` (`make render`). A test checks that the committed JSON is
exactly what `build_suites` produces.

Every expectation carries `meta = {"rule": <rule id>, "column": <column or None>}`
and a GX `severity` (critical = blocking, warning = warning): the report is read
from these, so adding a rule means adding it to `rules.RULES` and to
`expectations_for` below, nothing else.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable

from .. import settings
from ..contract import TABLES, TABLES_BY_NAME, Table
from . import rules
from .rules import RULES

if TYPE_CHECKING:
    from great_expectations.core.expectation_suite import ExpectationSuite
    from great_expectations.data_context import AbstractDataContext
    from great_expectations.expectations.expectation import Expectation

# Before great_expectations is imported anywhere in the pipeline.
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

SUITE_NOTE = (
    "Generated from the extract contract (csc_pipeline.contract) by "
    "csc_pipeline.validate.suites.build_suites. Do not edit: change the contract and re-render."
)
# Expectation types a suite may hold: none of them returns values from the data
# (row-level checks are UnexpectedRowsExpectation queries that select source_row only).
ALLOWED_EXPECTATION_TYPES = frozenset({
    "expect_table_columns_to_match_set",
    "expect_table_row_count_to_be_between",
    "unexpected_rows_expectation",
})


def _gx_severity(rule_id: str) -> str:
    return {"blocking": "critical", "warning": "warning"}[RULES[rule_id].severity]


def _meta(rule_id: str, column: str | None = None) -> dict[str, Any]:
    return {"rule": rule_id, "column": column}


def expectations_for(table: Table) -> list[Expectation]:
    """The checks of one contract table, in a stable order."""
    import great_expectations.expectations as gxe

    required = [c.name for c in table.columns if not c.optional]
    out: list[Expectation] = [
        gxe.ExpectTableColumnsToMatchSet(
            column_set=required,
            exact_match=False,
            severity=_gx_severity("required_column"),
            meta=_meta("required_column"),
            description=f"{table.name} has its required columns",
        ),
        gxe.ExpectTableColumnsToMatchSet(
            column_set=[*table.column_names, *rules.LANDING_COLUMNS],
            exact_match=True,
            severity=_gx_severity("unknown_column"),
            meta=_meta("unknown_column"),
            description=f"{table.name} has no columns outside the contract (absent optional columns are fine)",
        ),
    ]
    if table.required:
        out.append(
            gxe.ExpectTableRowCountToBeBetween(
                min_value=1,
                severity=_gx_severity("table_not_empty"),
                meta=_meta("table_not_empty"),
                description=f"{table.name} is not empty",
            )
        )
    for column in table.columns:
        if column.primary_key or column.not_null:
            out.append(
                gxe.UnexpectedRowsExpectation(
                    unexpected_rows_query=rules.not_null_query(column.name),
                    severity=_gx_severity("not_null"),
                    meta=_meta("not_null", column.name),
                    description=f"{column.name} is never missing",
                )
            )
        if column.primary_key:
            out.append(
                gxe.UnexpectedRowsExpectation(
                    unexpected_rows_query=rules.unique_query(column.name),
                    severity=_gx_severity("primary_key_unique"),
                    meta=_meta("primary_key_unique", column.name),
                    description=f"{column.name} is unique (the primary key)",
                )
            )
    return out


def _comparable(expectation_config: Any) -> str:
    """An expectation's configuration without its store-assigned id, as canonical JSON."""
    d = expectation_config.to_json_dict()
    d.pop("id", None)
    d.pop("rendered_content", None)
    return json.dumps(d, sort_keys=True)


def suite_for(table: Table, existing: ExpectationSuite | None = None) -> ExpectationSuite:
    """The suite of one table. Expectations unchanged since `existing` keep their ids,
    so rebuilding an up-to-date context changes nothing on disk. (GX 1.24's own
    `suites.add_or_update` means to do this, but compares ids too and so renews every id.)"""
    import great_expectations as gx

    previous = {}
    if existing is not None:
        for e in existing.expectations:
            previous.setdefault(_comparable(e.configuration), e.id)
    configs = []
    for expectation in expectations_for(table):
        config = expectation.configuration
        config.id = previous.get(_comparable(config))
        configs.append(config)
    return gx.ExpectationSuite(
        name=table.name,
        expectations=configs,
        meta={"contract_table": table.name},
        notes=SUITE_NOTE,
        id=existing.id if existing is not None else None,
    )


def build_suites(context: AbstractDataContext) -> list[str]:
    """Create or update one suite per contract table in `context`; drop suites of tables
    no longer in the contract. Returns the suite names."""
    from great_expectations.exceptions import DataContextError

    names = []
    for table in TABLES:
        try:
            existing = context.suites.get(table.name)
        except DataContextError:
            existing = None
        context.suites.add_or_update(suite_for(table, existing))
        names.append(table.name)
    for suite in list(context.suites.all()):
        if suite.name not in TABLES_BY_NAME:
            context.suites.delete(suite.name)
    return names


def open_context(project_root: Path | None = None) -> AbstractDataContext:
    """The project's GX file context (`expectations/gx/`), created if missing."""
    import great_expectations as gx

    root = Path(project_root or settings.EXPECTATIONS_DIR)
    return gx.get_context(mode="file", project_root_dir=str(root))


def write_suites(project_root: Path | None = None) -> list[Path]:
    """Re-render the committed suites from the contract; returns the suite files."""
    context = open_context(project_root)
    names = build_suites(context)
    folder = suites_dir(project_root)
    return [folder / f"{n}.json" for n in names]


def suites_dir(project_root: Path | None = None) -> Path:
    return Path(project_root or settings.EXPECTATIONS_DIR) / "gx" / "expectations"


class SuitesOutOfDate(RuntimeError):
    pass


def load_suites(names: Iterable[str], project_root: Path | None = None) -> dict[str, ExpectationSuite]:
    """The committed suites of these tables, read as GX's expectations store reads them.

    Read-only: no data context is opened, so validation writes nothing under
    `expectations/` and works from a read-only checkout. The suites returned belong
    to no context (add them to the one that validates).
    """
    from great_expectations.core.expectation_suite import ExpectationSuite, expectationSuiteSchema

    folder = suites_dir(project_root)
    out = {}
    for name in names:
        path = folder / f"{name}.json"
        if not path.is_file():
            raise SuitesOutOfDate(
                f"No expectation suite for {name} in {folder}: re-render the suites from the contract (`make render`)."
            )
        suite = ExpectationSuite(**expectationSuiteSchema.loads(path.read_text(encoding="utf-8")))
        for e in suite.expectations:
            if e.expectation_type not in ALLOWED_EXPECTATION_TYPES:
                raise SuitesOutOfDate(
                    f"Suite {name} holds a {e.expectation_type} expectation, which may return values "
                    "from the data; suites are generated from the contract only (`make render`)."
                )
        out[name] = suite
    return out


if __name__ == "__main__":  # python -m csc_pipeline.validate.suites: re-render the committed suites
    for path in write_suites():
        print(path.relative_to(settings.PROJECT_ROOT))
