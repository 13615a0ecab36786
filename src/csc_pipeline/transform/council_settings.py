"""Per-council settings the dbt models read, copied from the deployment file before each build."""

from __future__ import annotations

import psycopg

from csc_pipeline.deployment import Deployment


def sync_iro_roles(conn: psycopg.Connection, deployment: Deployment) -> int:
    """Make reference.council_iro_roles (sql/053_council_iro_roles.sql) equal the deployment's
    iro_role_codes, in one transaction; returns the number of rows."""
    rows = [(la, code) for la, codes in sorted(deployment.iro_role_codes.items()) for code in codes]
    with conn.transaction():
        conn.execute("delete from reference.council_iro_roles")
        with conn.cursor() as cur:
            cur.executemany("insert into reference.council_iro_roles (la_code, role_code) values (%s, %s)", rows)
    return len(rows)
