"""Validation of a landed drop against the extract contract (Great Expectations, in PostgreSQL).

- `checks.py`: every check of every table, generated from the contract (rule catalogue in `rules.py`).
- `build_suites(context)` / `write_suites()`: the GX suites, one expectation per check.
- `validate_drop(dsn, landing_schema, tables_present=[...])`: one SQL pass per table (`sqlpass.py`),
  evaluated by the suites; returns one `ValidationReport`.
- `config.py` (thresholds, severities, councils), `mapping.py` (councils' label mapping files),
  `accept.py` (an operator accepts a quarantined drop), `cli.py` (`csc accept`, `csc validation`).

Great Expectations is heavy to import, so the names below load on first use:
landing a drop needs `report` and `rules` without paying for GX.
"""

from importlib import import_module

_EXPORTS = {
    "validate_drop": ".gate", "Issue": ".report", "ValidationReport": ".report", "make_issue": ".report",
    "RULES": ".rules", "Rule": ".rules", "build_suites": ".suites", "write_suites": ".suites",
    "ValidationConfig": ".config", "load_deployment": ".config", "accept_drop": ".accept",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name in _EXPORTS:
        return getattr(import_module(_EXPORTS[name], __name__), name)
    raise AttributeError(name)
