"""Superset's configuration for the csc-pipeline stack: everything secret comes from the environment."""

import os

SECRET_KEY = os.environ["SUPERSET_SECRET_KEY"]
# Superset's own metadata (dashboards, saved queries) in the stack's metadata PostgreSQL.
SQLALCHEMY_DATABASE_URI = os.environ["SUPERSET_DATABASE_URI"]
# marts.performance_measures has a few thousand rows per council; SQL Lab may return them all.
SQL_MAX_ROW = 200_000
DISPLAY_MAX_ROW = 200_000
# No analytics or example data calling out.
SUPERSET_LOAD_EXAMPLES = False
FEATURE_FLAGS = {"ENABLE_TEMPLATE_PROCESSING": False}
