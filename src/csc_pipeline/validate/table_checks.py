"""The checks of a table as a whole, computed from its landed columns, its row count and the last
good drop's (not SQL over its rows): required, unknown and missing optional columns, empty table,
volume change."""

from __future__ import annotations

from csc_pipeline.contract.loaded import LOAD_COLUMNS

from .check_results import CheckResult, DropContext
from .checks import Check


def evaluate_table_check(ctx: DropContext, table: str, check: Check, rows: int | None, result: CheckResult) -> None:
    landed = [c for c in ctx.columns.get(table, []) if c not in LOAD_COLUMNS]
    cfg = ctx.config
    if check.rule == "required_column":
        missing = [c for c in check.params["columns"] if c not in landed]
        if missing:
            result.status, result.violations, result.detail = "failed", len(missing), {"columns": missing}
    elif check.rule in ("optional_column_missing", "filled_column_missing"):
        # A renamed optional column would otherwise load as NULL, silently emptying it.
        filled = ctx.previous_filled.get(table, [])
        missing = [c for c in check.params["columns"] if c not in landed
                   and (c in filled) == (check.rule == "filled_column_missing")]
        if missing:
            result.status, result.violations, result.detail = "failed", len(missing), {"columns": missing}
    elif check.rule == "unknown_column":
        # Positions in the header only: a name that is not the contract's may be a child's details
        # (a file without its header row) and is never shown.
        positions = [n for n, c in enumerate(landed, 1) if c not in check.params["columns"]]
        if positions:
            result.status, result.violations = "failed", len(positions)
            result.detail = {"positions": positions, "of": len(landed)}
    elif rows is None:
        result.status = "skipped"
    elif check.rule == "table_not_empty":
        if rows == 0:
            result.status, result.violations = "failed", 1
    elif check.rule in ("volume_shrink", "volume_growth"):
        previous = ctx.previous_rows.get(table)
        if previous is None or previous < cfg.volume_min_rows:
            result.status = "skipped"
            return
        change = (rows - previous) / previous * 100
        limit = cfg.volume_shrink_max_pct if check.rule == "volume_shrink" else cfg.volume_growth_max_pct
        broken = -change > limit if check.rule == "volume_shrink" else change > limit
        result.detail = {"previous": previous, "rows": rows, "change_pct": round(change, 1), "limit_pct": limit}
        if broken:
            result.status, result.violations = "failed", abs(rows - previous)
