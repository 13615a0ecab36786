#!/usr/bin/env bash
# Installs the Debian packages the project needs when they are missing:
#   - PostgreSQL server (the local warehouse). The version is detected, not assumed: /usr/lib/postgresql/<N>/bin.
#   - Chromium (tests/test_report.py renders the report headless to check it displays).
#   - libltdl7: the ODBC driver inside mssql-python (SQL Server sources) loads it.
#   - poppler-utils: the report test reads the printed PDF (pdfinfo, and pdftoppm for its page-1 image).
set -euo pipefail
need_postgresql=0
need_chromium=0
need_ltdl=0
need_poppler=0
compgen -G "/usr/lib/postgresql/*/bin/initdb" > /dev/null || need_postgresql=1
[ -x /usr/bin/chromium ] || need_chromium=1
compgen -G "/usr/lib/*/libltdl.so.7" > /dev/null || need_ltdl=1
[ -x /usr/bin/pdftoppm ] || need_poppler=1
if [ "$need_postgresql" = 0 ] && [ "$need_chromium" = 0 ] && [ "$need_ltdl" = 0 ] && [ "$need_poppler" = 0 ]; then
    exit 0
fi
if [ "$(id -u)" != 0 ]; then
    if [ "$need_postgresql" = 1 ]; then
        echo "PostgreSQL server binaries not found and not running as root." >&2
        echo "Install them with: sudo apt-get install -y postgresql" >&2
    fi
    if [ "$need_chromium" = 1 ]; then
        echo "Chromium (/usr/bin/chromium) not found and not running as root." >&2
        echo "Install it with: sudo apt-get install -y chromium" >&2
    fi
    if [ "$need_ltdl" = 1 ]; then
        echo "libltdl7 (needed by the SQL Server driver) not found and not running as root." >&2
        echo "Install it with: sudo apt-get install -y libltdl7" >&2
    fi
    if [ "$need_poppler" = 1 ]; then
        echo "poppler-utils (pdftoppm, for the report's PDF test) not found and not running as root." >&2
        echo "Install it with: sudo apt-get install -y poppler-utils" >&2
    fi
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
if [ "$need_postgresql" = 1 ]; then
    echo "Installing Debian's postgresql (server binaries for the local warehouse)..."
    apt-get install -y -qq postgresql postgresql-contrib > /dev/null
    # The Debian package starts a system cluster; the project runs its own, so stop that one.
    if command -v pg_lsclusters > /dev/null; then
        pg_lsclusters --no-header | while read -r ver name _; do
            pg_ctlcluster "$ver" "$name" stop || true
        done
    fi
fi
if [ "$need_chromium" = 1 ]; then
    echo "Installing Debian's chromium (headless browser for the report's rendering test)..."
    apt-get install -y -qq chromium > /dev/null
fi
if [ "$need_ltdl" = 1 ]; then
    echo "Installing Debian's libltdl7 (loaded by the ODBC driver of mssql-python, for SQL Server sources)..."
    apt-get install -y -qq libltdl7 > /dev/null
fi
if [ "$need_poppler" = 1 ]; then
    echo "Installing Debian's poppler-utils (reads the report's PDF in its test)..."
    apt-get install -y -qq poppler-utils > /dev/null
fi
