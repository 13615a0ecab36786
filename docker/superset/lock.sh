#!/usr/bin/env bash
# Re-resolve docker/superset/requirements.lock (Superset's own environment) with pip, without installing.
set -euo pipefail
cd "$(dirname "$0")"
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
python3.11 -m venv "$work/venv"
"$work/venv/bin/pip" install --quiet --dry-run --ignore-installed --report "$work/report.json" \
    "apache-superset==6.1.0" "flask-caching<2.4" "psycopg2-binary" "async-timeout" "rich" "cachetools"
{ sed -n '/^#/p' requirements.lock
  python3 -c 'import json, sys
r = json.load(open(sys.argv[1]))
print("\n".join(sorted((i["metadata"]["name"] + "==" + i["metadata"]["version"] for i in r["install"]), key=str.lower)))' \
    "$work/report.json"; } > requirements.lock.new
mv requirements.lock.new requirements.lock
