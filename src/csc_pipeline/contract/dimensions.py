"""The code dimensions of the marts and the plain-words labels of breakdown values.

One dimension per coded breakdown, named as the breakdown (`dim_reason` keyed by `reason`,
the breakdown of cla_ceased_in_period), so that a BI tool pairs a breakdown with its
dimension by name; and one per other code set a fact carries, named as the code set. Its
members are the contract's codes with their descriptions (codesets.py) or the breakdown's
own labels (measures.py), then the values published beyond the codes (`Not known`,
`Other`). The seed `code_labels` is rendered from here (`csc contract render`): the
dimensions and performance_measures.breakdown_value_label read it, so no label is written
twice. Values with no label here (bands, ages, ethnicity groups, URNs, the IRO's
pseudonym, `Total`) are their own label.
"""

from __future__ import annotations

from dataclasses import dataclass

from .codesets import CODE_SETS
from .measures import BREAKDOWNS, NOT_KNOWN


@dataclass(frozen=True)
class CodeDimension:
    """marts.dim_<name>: one row per member, keyed by the column `<name>`."""

    name: str
    description: str
    members: tuple[tuple[str, str], ...]  # (code, label), in the contract's order
    # What a fact holds for a recorded value that is none of the codes (the breakdown's
    # own rule: a local legal status is `Other`, anything else `Not known`).
    unmatched: str
    code_set: str | None  # the code set it comes from, if any
    is_breakdown: bool
    extra_codes: tuple[str, ...]  # the members beyond the codes (Not known, Other)

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(code for code, _ in self.members)


def _code_set_members(code_set: str) -> tuple[tuple[str, str], ...]:
    # A code whose set gives no description is its own label.
    return tuple((code, description or code) for code, description in CODE_SETS[code_set].codes.items())


def _breakdown_dimension(name: str) -> CodeDimension:
    b = BREAKDOWNS[name]
    codes = _code_set_members(b.code_set) if b.code_set else b.value_labels
    extras = tuple(value for value, _ in b.extra_values)
    return CodeDimension(
        name=name,
        description=b.description,
        members=(*codes, *b.extra_values),
        unmatched=extras[0] if extras else NOT_KNOWN,
        code_set=b.code_set,
        is_breakdown=True,
        extra_codes=extras,
    )


def _code_set_dimension(code_set: str, description: str) -> CodeDimension:
    return CodeDimension(
        name=code_set,
        description=description,
        members=(*_code_set_members(code_set), (NOT_KNOWN, "Not known")),
        unmatched=NOT_KNOWN,
        code_set=code_set,
        is_breakdown=False,
        extra_codes=(NOT_KNOWN,),
    )


# Code sets facts and dimensions carry that no breakdown publishes.
_OTHER_CODE_SETS = {
    "ethnicity": "DfE ethnicity code of the child.",
    "placement_type": "Placement type (PL) in force.",
    "placement_provider": "Provider of the placement in force (PR).",
    "foster_carer_review_outcome": "Outcome of a foster carer review.",
}

CODE_DIMENSIONS: dict[str, CodeDimension] = {
    d.name: d for d in (
        *(_breakdown_dimension(b.name) for b in BREAKDOWNS.values() if b.is_coded),
        *(_code_set_dimension(cs, desc) for cs, desc in _OTHER_CODE_SETS.items()),
    )
}

_LABELS: dict[tuple[str, str], str] = {
    (d.name, code): label for d in CODE_DIMENSIONS.values() if d.is_breakdown for code, label in d.members
}


def breakdown_value_label(breakdown: str, value: str) -> str:
    """The plain-words label of a published breakdown value (performance_measures.breakdown_value_label)."""
    return _LABELS.get((breakdown, value), value)


def _check() -> None:
    for d in CODE_DIMENSIONS.values():
        assert len(set(d.codes)) == len(d.codes), d.name
        assert d.unmatched in d.codes, d.name
        assert all(label.strip() for _, label in d.members), d.name
        # A dimension that is not a breakdown never takes a breakdown's name: the labels of
        # performance_measures are looked up by breakdown name.
        assert d.is_breakdown == (d.name in BREAKDOWNS), d.name


_check()
