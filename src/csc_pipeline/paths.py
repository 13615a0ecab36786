"""Where the project's own files are: the checkout's folders (configuration is deployment.py)."""

from __future__ import annotations

from pathlib import Path

# The project checkout (the package is installed in place with `pip install -e .`).
PROJECT_ROOT = Path(__file__).resolve().parents[2]
SQL_DIR = PROJECT_ROOT / "sql"
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"
EXPECTATIONS_DIR = PROJECT_ROOT / "expectations"
DAGS_DIR = PROJECT_ROOT / "dags"
