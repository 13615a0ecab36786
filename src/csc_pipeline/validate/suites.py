"""Great Expectations suites, one per contract table, generated from the contract (checks.py).

The suites live in a GX file context under `expectations/` (the JSON in
`expectations/gx/expectations/` is committed; `expectations/gx/uncommitted/` is
not). Never edit the JSON by hand: change the contract, then rebuild with
`write_suites()` (`make render`). A test checks that the committed JSON is
exactly what `build_suites` produces.

One expectation per check, i.e. one rule on one table (and column). Each is an
`UnexpectedRowsExpectation` over the drop's results table `_csc_checks`
(check_results.py): the check fails when its row there is `failed` (or `error`); GX's
observed value is the number of rows of the file breaking the rule, and the
result carries up to five `source_row` numbers — never values from the files.
Each expectation's `meta` holds what the gate needs to compute that row:
    rule, column, check (its id), and for row checks `sql` = {violation, joins, needs}
documenting each check in the committed JSON. The suites are derived artefacts: the gate builds
its checks from the contract (checks.py) and its in-memory suites from those (gx_run.py), never
reading the JSON back; `csc contract check` fails when the committed JSON is out of date. GX `severity`: critical = blocking, warning = warning
(the default; a deployment may override it per rule, deployment.py).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from csc_pipeline import paths
from csc_pipeline.contract import TABLES, TABLES_BY_NAME
from .checks import Check, checks_for
from csc_pipeline.contract.rules import RULES

if TYPE_CHECKING:
    from great_expectations.core.expectation_suite import ExpectationSuite
    from great_expectations.data_context import AbstractDataContext
    from great_expectations.expectations.expectation import Expectation

SUITE_NOTE = (
    "Generated from the extract contract (csc_pipeline.contract) by "
    "csc_pipeline.validate.suites.build_suites. Do not edit: change the contract and re-render."
)
# Expectation types a suite may hold: each evaluates one row of the results table,
# which holds counts and row numbers, never values from the files.
ALLOWED_EXPECTATION_TYPES = frozenset({"unexpected_rows_expectation"})
RESULT_COLUMNS = "r.violations, r.sample_rows, r.detail, r.error"

GX_SEVERITY = {"blocking": "critical", "warning": "warning"}


def expectation_for(check: Check, *, severity: str | None = None, lean: bool = False) -> Expectation:
    """The expectation of one check. `lean`: only which check it is in `meta` (for a night's run,
    where the SQL has already been run: a third of GX's time goes into copying meta)."""
    import great_expectations.expectations as gxe

    meta: dict[str, Any] = {"rule": check.rule, "column": check.column, "check": check.id}
    if lean:
        pass
    elif check.where:
        meta["sql"] = {
            "violation": check.where,
            "joins": [j.to_json() for j in check.joins],
            "needs": [list(n) for n in check.needs],
        }
    if check.params and not lean:
        meta["params"] = check.params
    if check.severity and not lean:
        meta["severity"] = check.severity
    return gxe.UnexpectedRowsExpectation(
        unexpected_rows_query=unexpected_rows_query(check.id),
        severity=GX_SEVERITY[severity or check.effective_severity],
        meta=meta,
        description=f"{check.description} [{check.rule}: {RULES[check.rule].message}]",
    )


def unexpected_rows_query(check_id: str) -> str:
    """The check's row of the results table, once per row of the file breaking the rule, so that
    GX's observed value is that number (its list of rows holds at most 200 copies of the one row)."""
    return (f"select {RESULT_COLUMNS} from {{batch}} as r cross join generate_series(1, greatest(r.violations, 1)) "
            f"where r.check_id = '{check_id}' and r.status in ('failed', 'error')")


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

    root = Path(project_root or paths.EXPECTATIONS_DIR)
    return gx.get_context(mode="file", project_root_dir=str(root))


def write_suites(project_root: Path | None = None) -> list[Path]:
    """Re-render the committed suites from the contract; returns the suite files."""
    context = open_context(project_root)
    names = build_suites(context)
    folder = suites_dir(project_root)
    return [folder / f"{n}.json" for n in names]


def suites_dir(project_root: Path | None = None) -> Path:
    return Path(project_root or paths.EXPECTATIONS_DIR) / "gx" / "expectations"


def suites_out_of_date(project_root: Path | None = None) -> list[Path]:
    """The committed suite files that differ from what the contract renders (rendered into a copy)."""
    import shutil
    import tempfile

    root = Path(project_root or paths.EXPECTATIONS_DIR)
    with tempfile.TemporaryDirectory(prefix="csc-suites-") as tmp:
        copy = Path(tmp) / "expectations"
        shutil.copytree(root, copy, ignore=shutil.ignore_patterns("uncommitted"))
        write_suites(copy)
        ours, theirs = suites_dir(root), suites_dir(copy)
        names = {p.name for p in ours.glob("*.json")} | {p.name for p in theirs.glob("*.json")}
        return sorted(ours / n for n in names
                      if not (ours / n).is_file() or not (theirs / n).is_file()
                      or (ours / n).read_bytes() != (theirs / n).read_bytes())
