#!/usr/bin/env bash
# A wheelhouse on the host from a lock file, so images install with `pip --no-index` and build
# with --network none. Rebuilt only when the lock changes (its checksum is kept beside the wheels).
# Usage: docker/wheelhouse.sh LOCK_FILE WHEEL_DIR [EXTRA_REQUIREMENT...]
set -euo pipefail
lock=$1 dir=$2
shift 2
pip=${PIP:-.venv/bin/pip}
sum=$( (cat "$lock"; printf '%s\n' "$@") | sha256sum | cut -d' ' -f1)
if [ -f "$dir/.lock-sha256" ] && [ "$(cat "$dir/.lock-sha256")" = "$sum" ]; then
    echo "wheelhouse $dir is up to date with $lock"
    exit 0
fi
rm -rf "$dir" && mkdir -p "$dir"
echo "building wheelhouse $dir from $lock..."
# --no-deps: the lock names every package; a missing one fails the image's --no-index install.
"$pip" wheel --quiet --no-deps --wheel-dir "$dir" -r "$lock" "$@" 2>&1 | grep -v "is ignored: it is neither" || true
# pip wheel can fail in the pipe above: the install in the image would fail later, so check here.
expected=$(grep -cEv '^\s*(#|$)' "$lock")
got=$(find "$dir" -name '*.whl' | wc -l)
if [ "$got" -lt "$expected" ]; then
    echo "wheelhouse $dir: $got wheels for $expected locked packages" >&2
    exit 1
fi
echo "$sum" > "$dir/.lock-sha256"
echo "wheelhouse $dir: $got wheels"
