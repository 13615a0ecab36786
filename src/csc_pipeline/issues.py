"""The one report a validated drop gets: what is wrong, where, how many rows, which rows.

It names the table, the column, the rule, the number of rows and up to five
sample row numbers (`source_row`, 1 = first data record) — never a value from
a personal-data column (extract-contract.md §5). The one kind of value it may
carry is an unmapped label of a coded, non-personal column (e.g. a legal status
the council spells its own way), truncated, with its count, so the council can
add it to its mapping file. It is what is stored in the audit schema, sent in
alerts and shown to the data team.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from csc_pipeline.contract import TABLES, TABLES_BY_NAME
from csc_pipeline.contract.rules import RULE_ORDER, RULES, Severity

MAX_SAMPLE_ROWS = 5
_TABLE_ORDER = {t.name: i for i, t in enumerate(TABLES)}


@dataclass(frozen=True)
class Issue:
    table: str
    column: str | None
    rule: str  # an id of rules.RULES
    severity: Severity
    rows: int  # rows breaking the rule (0 for file- and column-level problems)
    sample_rows: list[int] = field(default_factory=list)  # at most 5 source_row numbers
    message: str = ""
    # Coded, non-personal columns only: [[value, count], ...] of values matching no label,
    # most frequent first, truncated; a last ["…", None] when there were more.
    values: list[list] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.severity not in ("blocking", "warning"):
            raise ValueError(f"severity must be 'blocking' or 'warning', not {self.severity!r}")
        if len(self.sample_rows) > MAX_SAMPLE_ROWS or not all(
            isinstance(r, int) and not isinstance(r, bool) for r in self.sample_rows
        ):
            raise ValueError(f"sample_rows must be at most {MAX_SAMPLE_ROWS} row numbers")

    @property
    def file(self) -> str:
        """The file the issue is about: `<table>.csv`, or a file named in full (manifest.json)."""
        if "." in self.table or self.table.startswith("("):
            return self.table
        return f"{self.table}.csv"

    @property
    def location(self) -> str:
        return f"{self.file} column {self.column}" if self.column else self.file

    def to_text(self) -> str:
        text = f"{self.location}: {self.message} [{self.rule}]"
        if self.rows:
            text += f" — {self.rows} {'row' if self.rows == 1 else 'rows'}"
            if self.sample_rows:
                label = "row" if len(self.sample_rows) == 1 else "rows"
                more = ", …" if self.rows > len(self.sample_rows) else ""
                text += f" ({label} {', '.join(map(str, self.sample_rows))}{more})"
        if self.values:
            shown = [f"'{v}' ×{n}" if n is not None else "…" for v, n in self.values]
            text += f"; values: {', '.join(shown)}"
        if self.severity == "warning":
            text += " [warning]"
        return text

    def sort_key(self) -> tuple:
        table = TABLES_BY_NAME.get(self.table)
        column_order = table.column_names.index(self.column) if table and self.column in table.column_names else 99
        return (
            self.severity != "blocking",
            _TABLE_ORDER.get(self.table, len(_TABLE_ORDER)),
            self.table,
            RULE_ORDER.get(self.rule, len(RULE_ORDER)),
            column_order,
            self.column or "",
        )


def make_issue(
    rule: str,
    table: str,
    column: str | None = None,
    *,
    rows: int = 0,
    sample_rows: list[int] | None = None,
    severity: Severity | None = None,
    message: str | None = None,
    values: list[list] | None = None,
) -> Issue:
    """An issue worded and graded by the rule catalogue (severity may be overridden)."""
    r = RULES[rule]
    return Issue(
        table=table,
        column=column,
        rule=rule,
        severity=severity or r.severity,
        rows=rows,
        sample_rows=sorted(sample_rows or [])[:MAX_SAMPLE_ROWS],
        message=message or r.message,
        values=values or [],
    )


@dataclass(frozen=True)
class ValidationReport:
    success: bool  # no blocking issue: the drop may be loaded
    issues: list[Issue] = field(default_factory=list)

    @classmethod
    def from_issues(cls, issues: list[Issue]) -> ValidationReport:
        ordered = sorted(issues, key=Issue.sort_key)
        return cls(success=not any(i.severity == "blocking" for i in ordered), issues=ordered)

    @property
    def blocking(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "blocking"]

    @property
    def warnings(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "warning"]

    def to_dict(self) -> dict[str, Any]:
        return {"success": self.success, "issues": [asdict(i) for i in self.issues]}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ValidationReport:
        return cls(success=bool(data["success"]), issues=[Issue(**i) for i in data["issues"]])

    def to_text(self) -> str:
        b, w = len(self.blocking), len(self.warnings)
        if self.success:
            head = "Passed validation" + (f" with {w} warning{'s' * (w != 1)}." if w else ".")
        else:
            head = (
                f"Blocked: {b} blocking problem{'s' * (b != 1)}"
                + (f" and {w} warning{'s' * (w != 1)}" if w else "")
                + ". The drop is quarantined; fix the extract and send it again."
            )
        return "\n".join([head, *(f"- {i.to_text()}" for i in self.issues)])
