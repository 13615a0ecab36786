"""Validation of a landed drop against the extract contract (Great Expectations, in PostgreSQL).

- `checks.py`: every check of every table, generated from the contract (rule catalogue:
  `csc_pipeline.contract.rules`).
- `suites.py`: the GX suites built from those checks (written to `expectations/` as derived files).
- `gate.py`: `validate_drop(...)`, the whole gate for one landed drop; it composes
  `sql_pass.py` (one SQL pass per table), `table_checks.py`, `gx_run.py` and `gx_results.py`.
- `mapping.py`: councils' label mapping files.

Great Expectations is imported only inside `gx_run.py`, when a drop is validated.
"""
