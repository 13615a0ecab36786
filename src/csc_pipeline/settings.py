"""Where things are and which environment variables configure them.

Every setting can come from the environment, so Airflow (through its own
environment or connections), the CLI and the tests configure the pipeline the
same way.
"""

from __future__ import annotations

import os
from pathlib import Path

# The project checkout (the package is installed in place with `pip install -e .`).
PROJECT_ROOT = Path(__file__).resolve().parents[2]
SQL_DIR = PROJECT_ROOT / "sql"
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"
EXPECTATIONS_DIR = PROJECT_ROOT / "expectations"
DAGS_DIR = PROJECT_ROOT / "dags"

# Names of the environment variables the pipeline reads.
ENV_WAREHOUSE_DSN = "CSC_WAREHOUSE_DSN"  # an existing PostgreSQL server instead of the local one
ENV_STATE_DIR = "CSC_STATE_DIR"  # local warehouse, Airflow home, demo landing folder
ENV_LANDING_ROOT = "CSC_LANDING_ROOT"
ENV_EXTRACT_ROOT = "CSC_EXTRACT_ROOT"  # drops the pipeline extracts itself from councils' databases
ENV_PSEUDONYM_KEY = "CSC_PSEUDONYM_KEY"  # per-deployment HMAC secret for pseudonyms


def state_dir() -> Path:
    """The project's ignored state folder (local warehouse, Airflow home, demo data)."""
    return Path(os.environ.get(ENV_STATE_DIR, PROJECT_ROOT / ".state")).resolve()


def landing_root() -> Path:
    return Path(os.environ.get(ENV_LANDING_ROOT, state_dir() / "landing")).resolve()


def extract_root() -> Path:
    """Where extracted drops are written (extract-contract §1), scanned like the landing root."""
    return Path(os.environ.get(ENV_EXTRACT_ROOT, state_dir() / "extracts")).resolve()
