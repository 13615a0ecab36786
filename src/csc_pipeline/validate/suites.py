"""Great Expectations suites, one per contract table, generated from the contract (checks.py).

The suites live in a GX file context under `expectations/` (the JSON in
`expectations/gx/expectations/` is committed; `expectations/gx/uncommitted/` is
not). Never edit the JSON by hand: change the contract, then rebuild with
`write_suites()` (`make render`). A test checks that the committed JSON is
exactly what `build_suites` produces.

One expectation per check, i.e. one rule on one table (and column). Each is an
`UnexpectedRowsExpectation` over the drop's results table `_csc_checks`
(sqlpass.py): the check fails when its row there is `failed` (or `error`); GX's
observed value is the number of rows of the file breaking the rule, and the
result carries up to five `source_row` numbers and, for coded non-personal
columns only, the unmapped values — never other values from the files.
Each expectation's `meta` holds what the gate needs to compute that row:
    rule, column, check (its id), and for row checks `sql` = {violation, joins, needs}
so the suites stay the one definition of the checks: the gate builds its single
pass per table from them. GX `severity`: critical = blocking, warning = warning
(the default; a deployment may override it per rule, config.py).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable

from csc_pipeline import paths as settings
from csc_pipeline.contract import TABLES, TABLES_BY_NAME
from .checks import Check, Join, checks_for
from csc_pipeline.contract.rules import RULES

if TYPE_CHECKING:
    from great_expectations.core.expectation_suite import ExpectationSuite
    from great_expectations.data_context import AbstractDataContext
    from great_expectations.expectations.expectation import Expectation
    from great_expectations.expectations.expectation_configuration import ExpectationConfiguration

# Before great_expectations is imported anywhere in the pipeline.
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

SUITE_NOTE = (
    "Generated from the extract contract (csc_pipeline.contract) by "
    "csc_pipeline.validate.suites.build_suites. Do not edit: change the contract and re-render."
)
# Expectation types a suite may hold: each evaluates one row of the results table,
# which holds counts and row numbers, never values from personal-data columns.
ALLOWED_EXPECTATION_TYPES = frozenset({"unexpected_rows_expectation"})
RESULT_COLUMNS = "r.violations, r.sample_rows, r.detail, r.error"

GX_SEVERITY = {"blocking": "critical", "warning": "warning"}


def expectation_for(check: Check) -> Expectation:
    import great_expectations.expectations as gxe

    meta: dict[str, Any] = {"rule": check.rule, "column": check.column, "check": check.id}
    if check.where:
        meta["sql"] = {
            "violation": check.where,
            "joins": [j.to_json() for j in check.joins],
            "needs": [list(n) for n in check.needs],
        }
    if check.params:
        meta["params"] = check.params
    if check.collect_values:
        meta["collect_values"] = True
    if check.severity:
        meta["severity"] = check.severity
    return gxe.UnexpectedRowsExpectation(
        unexpected_rows_query=unexpected_rows_query(check.id),
        severity=GX_SEVERITY[check.effective_severity],
        meta=meta,
        description=f"{check.description} [{check.rule}: {RULES[check.rule].message}]",
    )


def unexpected_rows_query(check_id: str) -> str:
    """The check's row of the results table, once per row of the file breaking the rule, so that
    GX's observed value is that number (its list of rows holds at most 200 copies of the one row)."""
    return (f"select {RESULT_COLUMNS} from {{batch}} as r cross join generate_series(1, greatest(r.violations, 1)) "
            f"where r.check_id = '{check_id}' and r.status in ('failed', 'error')")


def check_from(config: ExpectationConfiguration | dict, table: str) -> Check:
    """The check an expectation of `table`'s suite stands for (the inverse of expectation_for)."""
    meta = (config.get("meta") if isinstance(config, dict) else config.meta) or {}
    sql = meta.get("sql") or {}
    return Check(
        rule=meta["rule"], table=table, column=meta.get("column"), description="",
        where=sql.get("violation", ""),
        joins=tuple(Join(*j) for j in sql.get("joins", ())),
        needs=tuple(tuple(n) for n in sql.get("needs", ())),  # type: ignore[misc]
        severity=meta.get("severity"),
        collect_values=bool(meta.get("collect_values")),
        params=meta.get("params") or {},
    )


def _comparable(expectation_config: Any) -> str:
    """An expectation's configuration without its store-assigned id, as canonical JSON."""
    d = expectation_config.to_json_dict()
    d.pop("id", None)
    d.pop("rendered_content", None)
    return json.dumps(d, sort_keys=True)


def suite_for(table_name: str, existing: ExpectationSuite | None = None) -> ExpectationSuite:
    """The suite of one table. Expectations unchanged since `existing` keep their ids,
    so rebuilding an up-to-date context changes nothing on disk. (GX 1.24's own
    `suites.add_or_update` means to do this, but compares ids too and so renews every id.)"""
    import great_expectations as gx

    previous = {}
    if existing is not None:
        for e in existing.expectations:
            previous.setdefault(_comparable(e.configuration), e.id)
    configs = []
    for check in checks_for(TABLES_BY_NAME[table_name]):
        config = expectation_for(check).configuration
        config.id = previous.get(_comparable(config))
        configs.append(config)
    return gx.ExpectationSuite(
        name=table_name,
        expectations=configs,
        meta={"contract_table": table_name},
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
        context.suites.add_or_update(suite_for(table.name, existing))
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
            if (e.meta or {}).get("rule") not in RULES:
                raise SuitesOutOfDate(f"Suite {name} holds an expectation without a known rule: re-render the suites.")
        out[name] = suite
    return out


if __name__ == "__main__":  # python -m csc_pipeline.validate.suites: re-render the committed suites
    for path in write_suites():
        print(path.relative_to(settings.PROJECT_ROOT))
