"""The simulated council: its parameters and every record of its history, as plain values.

A record (`Rec`) is one row of a contract table as the case system holds it at
the end of the simulation, with real `date` objects, plus what a snapshot needs
to show it as it stood on an earlier extract date: the day it first appeared
(`visible`) and later changes to its values (`versions`). Dates of things that
happened on or after an extract date are hidden by the snapshot, not here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from csc_pipeline.contract import TABLES
from .dates import WorkingDays, add_years

Value = date | str | bool | int | float | None

# Where each id series starts, so ids of different kinds do not look alike.
_ID_BASE = {
    "ssd_person": 100_001, "family": 70_001, "cla": 40_001, "referral": 500_001,
    "meeting": 80_001, "household": 3_001, "staff": 10_001,
}
_DEFAULT_BASE = 1_000_001


@dataclass(slots=True)
class Rec:
    table: str
    values: dict[str, Value]
    visible: date  # first day the row exists in the case system
    versions: list[tuple[date, dict[str, Value]]] | None = None  # (from, changed values)
    meta: dict[str, Value] | None = None  # not written: facts the snapshot needs
    # Set by the snapshot: (the day after which the row no longer changes, its final values).
    final: tuple[date, dict[str, Value]] | None = None

    def change(self, on: date, **values: Value) -> None:
        """From `on`, these values replace the earlier ones."""
        if self.versions is None:
            self.versions = []
        self.versions.append((on, values))


@dataclass(frozen=True)
class Params:
    seed: int
    target_cla: int
    first_extract: date
    last_extract: date
    years: int

    @property
    def history_start(self) -> date:
        return add_years(self.first_extract, -self.years)

    @property
    def warm_start(self) -> date:
        # Children in care on the first day of history may have come in up to 18 years before.
        return add_years(self.history_start, -18)

    @property
    def horizon(self) -> date:
        # Simulate a little past the last extract so records open on it have real (hidden) ends
        # and planned health checks can be future-dated.
        return self.last_extract + timedelta(days=200)


class World:
    """Every record of the simulated history, by table, and the id counters."""

    def __init__(self, params: Params) -> None:
        self.params = params
        self.records: dict[str, list[Rec]] = {t.name: [] for t in TABLES}
        self.working_days = WorkingDays(params.warm_start.year - 1, params.horizon.year + 1)
        self._columns = {t.name: frozenset(t.column_names) for t in TABLES}
        self._pk = {t.name: t.primary_key.name for t in TABLES}
        self._counters: dict[str, int] = {}

    def next_id(self, series: str) -> str:
        n = self._counters.get(series, _ID_BASE.get(series, _DEFAULT_BASE))
        self._counters[series] = n + 1
        return str(n)

    def add(self, table: str, visible: date, values: dict[str, Value],
            meta: dict[str, Value] | None = None) -> Rec:
        """A new row of `table`; its primary key is allocated here unless given."""
        unknown = values.keys() - self._columns[table]
        if unknown:
            raise KeyError(f"{table} has no column(s) {sorted(unknown)}")
        pk = self._pk[table]
        if values.get(pk) is None:
            values[pk] = self.next_id(table)
        rec = Rec(table, values, visible, None, meta, None)
        self.records[table].append(rec)
        return rec
