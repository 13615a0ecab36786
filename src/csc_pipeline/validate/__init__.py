"""Validation of a landed drop against the extract contract (Great Expectations, in PostgreSQL).

- `build_suites(context)` / `write_suites()`: the GX suites, generated from the contract.
- `validate_drop(dsn, landing_schema, tables_present=[...])`: one `ValidationReport`.

Great Expectations is heavy to import, so the names below load on first use:
landing a drop needs `report` and `rules` without paying for GX.
"""

from importlib import import_module

_EXPORTS = {
    "validate_drop": ".gate", "Issue": ".report", "ValidationReport": ".report", "make_issue": ".report",
    "RULES": ".rules", "Rule": ".rules", "build_suites": ".suites", "write_suites": ".suites",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name in _EXPORTS:
        return getattr(import_module(_EXPORTS[name], __name__), name)
    raise AttributeError(name)
