"""A problem found in a drop, described without any of its values.

Landing, validation and publishing all report problems in this one shape:
file, column, rule, how many rows and a few row numbers — never the data.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Literal

Severity = Literal["blocking", "warning"]


@dataclass(frozen=True)
class Issue:
    table: str
    column: str | None
    rule: str
    severity: Severity
    rows: int = 0
    sample_rows: list[int] = field(default_factory=list)
    message: str = ""

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> "Issue":
        return cls(**d)

    def to_text(self) -> str:
        where = f"{self.table}.{self.column}" if self.column else self.table
        rows = ""
        if self.rows:
            rows = f" — {self.rows} row{'s' if self.rows != 1 else ''}"
            if self.sample_rows:
                rows += f" (rows {', '.join(str(r) for r in self.sample_rows[:5])})"
        detail = f": {self.message}" if self.message else ""
        return f"[{self.severity}] {where}: {self.rule}{rows}{detail}"
