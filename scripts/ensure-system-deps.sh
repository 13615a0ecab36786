#!/usr/bin/env bash
# Installs Debian's PostgreSQL server when no version of it is present.
# The version is detected, not assumed: /usr/lib/postgresql/<N>/bin.
set -euo pipefail
if compgen -G "/usr/lib/postgresql/*/bin/initdb" > /dev/null; then
    exit 0
fi
if [ "$(id -u)" != 0 ]; then
    echo "PostgreSQL server binaries not found and not running as root." >&2
    echo "Install them with: sudo apt-get install -y postgresql" >&2
    exit 1
fi
echo "Installing Debian's postgresql (server binaries for the local warehouse)..."
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq postgresql postgresql-contrib > /dev/null
# The Debian package starts a system cluster; the project runs its own, so stop that one.
if command -v pg_lsclusters > /dev/null; then
    pg_lsclusters --no-header | while read -r ver name _; do
        pg_ctlcluster "$ver" "$name" stop || true
    done
fi
