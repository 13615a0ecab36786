"""The shapes the extract contract is written in: code sets, columns, tables.

The contract itself (which tables, columns and codes) lives in `codesets.py`
and `tables.py`; everything else (GE suites, dbt sources and staging models,
the generator, the docs) is derived from those two files.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

ColumnType = Literal["text", "date", "code", "yn", "number"]


@dataclass(frozen=True)
class CodeSet:
    """A closed list of DfE (or local-table) codes with their descriptions.

    `aliases` are extra spellings the contract itself accepts (e.g. sex `1` = M).
    `open_set` code sets keep unknown values and only warn (legal status).
    `prefix_descriptions` accept a description followed by `:` and free text
    ("Multiple: Neglect, Emotional abuse").
    """

    name: str
    codes: dict[str, str]
    description: str
    aliases: dict[str, str] = field(default_factory=dict)
    accept_descriptions: bool = True
    open_set: bool = False
    prefix_descriptions: tuple[str, ...] = ()

    def labels(self) -> dict[str, str]:
        """Every accepted label (normalised: lower case, trimmed) -> code."""
        out: dict[str, str] = {}
        for code, desc in self.codes.items():
            out[normalise_label(code)] = code
            if self.accept_descriptions and desc:
                out[normalise_label(desc)] = code
        for alias, code in self.aliases.items():
            out[normalise_label(alias)] = code
        return out


def normalise_label(value: str) -> str:
    """The form labels are compared in: trimmed, lower case, inner spaces folded."""
    return " ".join(value.strip().lower().split())


@dataclass(frozen=True)
class Column:
    name: str
    type: ColumnType
    description: str
    optional: bool = False  # the column may be absent from the file
    pii: bool = False  # personal data: never in logs, reports, docs or marts
    code_set: str | None = None
    primary_key: bool = False
    references: tuple[str, str] | None = None  # (table, column) in the same drop
    # Dates of things that happened cannot lie after the extract date; due,
    # target and planned dates can.
    happened: bool = True
    not_null: bool = False


@dataclass(frozen=True)
class Table:
    name: str
    description: str
    columns: tuple[Column, ...]
    required: bool = True
    family: Literal["ssd", "local"] = "ssd"
    # The date that closes a record with a start and an end (NULL while open). A record that
    # vanishes from the snapshot after it closed before the new window start has aged out of
    # the extract, not been deleted (§1). Records without one age out by their latest date.
    closed_by: str | None = None

    @property
    def primary_key(self) -> Column:
        (pk,) = [c for c in self.columns if c.primary_key]
        return pk

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(f"{self.name} has no column {name!r}")

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def entity(self) -> str:
        """The table name without its family prefix: `ssd_cla_reviews` -> `cla_reviews`."""
        return self.name.split("_", 1)[1]

    @property
    def entity_plural(self) -> str:
        """The entity named as a collection: `person` -> `persons`, `legal_status` -> `legal_statuses`."""
        if self.entity in _IRREGULAR_PLURALS:
            return _IRREGULAR_PLURALS[self.entity]
        if self.entity.endswith(("us", "ss", "x", "ch", "sh")):
            return self.entity + "es"
        if self.entity.endswith("s"):
            return self.entity
        if self.entity.endswith("y") and self.entity[-2:-1] not in "aeiou":
            return self.entity[:-1] + "ies"
        return self.entity + "s"

    @property
    def staging_model(self) -> str:
        """The dbt staging model of this table: `stg_<ssd|loc>__<entity plural>`."""
        return f"stg_{self.name.split('_', 1)[0]}__{self.entity_plural}"


# Entities whose regular plural would read badly.
_IRREGULAR_PLURALS = {"cla_health": "cla_health_checks"}
