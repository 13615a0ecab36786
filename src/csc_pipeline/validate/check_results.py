"""What the checks of one drop are evaluated against (`DropContext`), what each answers
(`CheckResult`), and the small results table `_csc_checks` the Great Expectations suites evaluate:
one row per check, counts and row numbers only (and unmapped values of coded, non-personal columns).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import psycopg
from psycopg import sql

from csc_pipeline.contract import CODE_SETS
from csc_pipeline.deployment import ValidationConfig

from .checks import Check

RESULTS_TABLE = "_csc_checks"


@dataclass
class CheckResult:
    check: Check
    status: str = "passed"  # passed | failed | skipped | error
    violations: int = 0
    sample_rows: list[int] = field(default_factory=list)
    detail: dict[str, Any] = field(default_factory=dict)
    error: str | None = None


@dataclass
class DropContext:
    """What the checks of one drop are evaluated against."""

    schema: str
    la_code: str
    extract_date: date
    columns: dict[str, list[str]]  # landed table -> its columns (file columns + landing ones)
    council_labels: dict[str, dict[str, str]]  # code set -> {normalised label: code}
    previous_rows: dict[str, int]  # table -> rows in the last good drop (absent: no comparison)
    config: ValidationConfig
    # table -> the optional columns missing from this drop's file that had values in the last good drop
    previous_filled: dict[str, list[str]] = field(default_factory=dict)

    def labels(self, code_set: str, code: str | None = None) -> list[str]:
        merged = {**CODE_SETS[code_set].labels(), **self.council_labels.get(code_set, {})}
        return sorted(label for label, c in merged.items() if code is None or c == code)

    def has(self, table: str, column: str) -> bool:
        return column in self.columns.get(table, ())


def write_results(conn: psycopg.Connection, schema: str, results: list[CheckResult]) -> None:
    """(Re)create `<landing schema>._csc_checks`: one row per check, counts and row numbers only
    (and unmapped values of coded, non-personal columns)."""
    table = sql.Identifier(schema, RESULTS_TABLE)
    with conn.transaction():
        conn.execute(sql.SQL("drop table if exists {}").format(table))
        conn.execute(sql.SQL(
            "create table {} (check_id text not null, table_name text not null, rule text not null,"
            " column_name text, status text not null, violations bigint not null, sample_rows integer[] not null,"
            " detail jsonb not null, error text)").format(table))
        with conn.cursor() as cur:
            with cur.copy(sql.SQL("copy {} from stdin").format(table)) as copy:
                for r in results:
                    c = r.check
                    copy.write_row([c.id, c.table, c.rule, c.column, r.status, r.violations,
                                    r.sample_rows, json.dumps(r.detail), r.error])
