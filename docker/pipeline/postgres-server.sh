#!/usr/bin/env bash
# A PostgreSQL service from Debian's server (the warehouse, Airflow's metadata database).
# First start: initdb with the superuser PG_SUPERUSER / PG_PASSWORD (scram-sha-256 for every
# connection) and the databases in PG_DATABASES. Then the server in the foreground on
# PG_LISTEN:PG_PORT. Runs as the `postgres` OS user (the compose file sets `user: postgres`).
set -euo pipefail
: "${PG_SUPERUSER:?}" "${PG_PASSWORD:?}" "${PG_DATABASES:?}"
PGDATA=${PGDATA:-/var/lib/postgresql/data}
bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
if [ ! -s "$PGDATA/PG_VERSION" ]; then
    pwfile=$(mktemp)
    printf '%s\n' "$PG_PASSWORD" > "$pwfile"
    "$bin/initdb" -D "$PGDATA" -U "$PG_SUPERUSER" --pwfile="$pwfile" --auth-local=scram-sha-256 \
        --auth-host=scram-sha-256 --encoding=UTF8 --locale=C.UTF-8 > /dev/null
    rm -f "$pwfile"
    # Other containers connect over the compose network: password (scram) required from anywhere.
    echo "host all all all scram-sha-256" >> "$PGDATA/pg_hba.conf"
    "$bin/pg_ctl" -D "$PGDATA" -o "-c listen_addresses='' -k /tmp" -w start > /dev/null
    for db in $PG_DATABASES; do
        PGPASSWORD=$PG_PASSWORD "$bin/psql" -qX -h /tmp -U "$PG_SUPERUSER" -d postgres \
            -c "create database \"$db\"" > /dev/null
    done
    "$bin/pg_ctl" -D "$PGDATA" -m fast -w stop > /dev/null
    echo "initialised $PGDATA with database(s) $PG_DATABASES"
fi
# No data in the server's log: a failed COPY's CONTEXT and STATEMENT would quote the file's line.
exec "$bin/postgres" -D "$PGDATA" -p "${PG_PORT:-5432}" -c listen_addresses="${PG_LISTEN:-*}" -k /tmp \
    -c log_error_verbosity=terse -c log_min_error_statement=panic -c log_statement=none
