#!/usr/bin/env bash
# One-off initialisation (the superset-init service): Superset's metadata schema, its admin user,
# its roles and permissions, then the warehouse as a database that logs in as the read-only
# role csc_bi (it reads the `marts` schema and nothing else). Idempotent.
set -euo pipefail
: "${SUPERSET_ADMIN_PASSWORD:?}" "${WAREHOUSE_BI_URI:?}"
superset db upgrade
superset fab create-admin --username "${SUPERSET_ADMIN_USER:-admin}" --firstname Superset --lastname Admin \
    --email "${SUPERSET_ADMIN_EMAIL:-admin@localhost}" --password "$SUPERSET_ADMIN_PASSWORD" \
    || superset fab reset-password --username "${SUPERSET_ADMIN_USER:-admin}" --password "$SUPERSET_ADMIN_PASSWORD"
superset init
superset set_database_uri --database_name warehouse --uri "$WAREHOUSE_BI_URI"
echo "superset initialised: database 'warehouse' reads the marts as csc_bi"
