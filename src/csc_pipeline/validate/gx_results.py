"""The one report builder: Great Expectations' answer turned into issues, with names from the
contract, counts, row numbers and unmapped labels of coded non-personal columns, nothing else."""

from __future__ import annotations

import logging
from collections.abc import Collection
from typing import TYPE_CHECKING, Any

from csc_pipeline.contract import Table
from csc_pipeline.contract.rules import RULES, Severity
from csc_pipeline.issues import MAX_SAMPLE_ROWS, Issue, make_issue

if TYPE_CHECKING:
    from great_expectations.core.expectation_validation_result import ExpectationSuiteValidationResult

log = logging.getLogger(__name__)


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
        if rule in ("required_column", "optional_column_missing", "filled_column_missing"):
            for name in detail.get("columns", []):
                issues.append(make_issue(rule, table.name, _contract_column(table, name), severity=severity,
                                         message=message))
        elif rule == "unknown_column":
            positions = [int(n) for n in detail.get("positions", [])]
            if positions:
                many = len(positions) != 1
                hint = " (is the header row missing?)" if len(positions) == int(detail.get("of") or 0) else ""
                issues.append(make_issue(rule, table.name, severity=severity, message=(
                    f"{len(positions)} column{'s' * many} not in the contract, at position{'s' * many} "
                    f"{', '.join(map(str, positions[:10]))}{', …' if len(positions) > 10 else ''} of the header: "
                    f"ignored; names withheld (only the contract's column names are shown){hint}")))
        elif rule in ("volume_shrink", "volume_growth"):
            issues.append(make_issue(rule, table.name, severity=severity, message=(
                f"{message}: {detail.get('rows')} rows, {detail.get('previous')} in the last good drop "
                f"({detail.get('change_pct'):+.1f}%; limit {detail.get('limit_pct'):g}%)")))
        elif rule == "table_not_empty":
            issues.append(make_issue(rule, table.name, severity=severity, message=message))
        else:
            samples = [n for n in (row.get("sample_rows") or []) if isinstance(n, int) and not isinstance(n, bool)]
            issues.append(make_issue(rule, table.name, column, rows=violations, severity=severity,
                                     sample_rows=sorted(samples)[:MAX_SAMPLE_ROWS], message=message))
    for error, n in errors.items():
        issues.append(make_issue(
            "check_error", table.name,
            message=f"{n} check{'s' * (n != 1)} could not be run ({error})",
        ))
    return issues


def _raised(info: Any) -> bool:
    return isinstance(info, dict) and bool(info.get("raised_exception"))


def _contract_column(table: Table, name: str) -> str:
    for c in table.column_names:
        if c.lower() == name.lower():
            return c
    return name
