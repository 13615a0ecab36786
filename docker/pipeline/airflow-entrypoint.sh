#!/usr/bin/env bash
# Entrypoint of every Airflow service: the Simple auth manager's password file from the secret
# AIRFLOW_ADMIN_PASSWORD (never generated into a log), then the service's command.
set -euo pipefail
if [ -n "${AIRFLOW_ADMIN_PASSWORD:-}" ]; then
    file=${AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE:-$AIRFLOW_HOME/simple_auth_manager_passwords.json.generated}
    user=${AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS%%:*}
    umask 077
    python3 -c 'import json, os, sys; print(json.dumps({sys.argv[1]: os.environ["AIRFLOW_ADMIN_PASSWORD"]}))' \
        "${user:-admin}" > "$file"
fi
exec "$@"
