#!/usr/bin/env bash
# make compose-test: the production stack (docker-compose.yml) built and started for real, checked
# end to end (docker/compose_check.py), then torn down. Needs root (apt-get, dockerd).
#   - installs docker.io, docker-compose and mmdebstrap when missing;
#   - starts dockerd when none runs (no default bridge, no iptables: these machines allow
#     loopback traffic only) and stops it afterwards;
#   - builds the base image, the wheelhouses and the images (cached layers are reused);
#   - runs the stack with docker-compose.test.yml (host networking, free 127.0.0.1 ports).
set -euo pipefail
cd "$(dirname "$0")/.."
PROJECT=${CSC_COMPOSE_PROJECT:-csc-compose-test}
PYTHON=.venv/bin/python
SECONDS=0

phase() { printf '[compose-test %4ds] %s\n' "$SECONDS" "$*"; }

need=()
command -v dockerd > /dev/null || need+=(docker.io)
command -v docker-compose > /dev/null || need+=(docker-compose)
command -v mmdebstrap > /dev/null || need+=(mmdebstrap)
if [ ${#need[@]} -gt 0 ]; then
    if [ "$(id -u)" != 0 ]; then
        echo "compose-test needs ${need[*]}: sudo apt-get install -y ${need[*]}" >&2
        exit 1
    fi
    phase "installing ${need[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" > /dev/null
fi

work=$(mktemp -d /tmp/csc-compose-test.XXXXXX)
chmod 755 "$work"  # the landing folder inside is bind-mounted for the worker's user
dockerd_pid=
compose=(docker-compose --project-name "$PROJECT" --env-file "$work/test.env"
         -f docker-compose.yml -f docker-compose.test.yml)
stack_started=0
# CSC_COMPOSE_KEEP=1 leaves a failed stack running for a look (then: docker-compose ... down -v).
keep=${CSC_COMPOSE_KEEP:-0}

cleanup() {
    local rc=$?
    if [ "$stack_started" = 1 ] && [ "$keep" = 1 ] && [ "$rc" != 0 ]; then
        echo "compose-test: left running: ${compose[*]} down --volumes" >&2
        exit $rc
    fi
    if [ "$stack_started" = 1 ]; then
        phase "tearing down"
        "${compose[@]}" down --volumes --remove-orphans --timeout 20 > "$work/down.log" 2>&1 || cat "$work/down.log" >&2
    fi
    if [ -n "$dockerd_pid" ]; then
        phase "stopping the dockerd this test started (pid $dockerd_pid)"
        kill "$dockerd_pid" 2> /dev/null || true
        for _ in $(seq 60); do kill -0 "$dockerd_pid" 2> /dev/null || break; sleep 0.5; done
    fi
    rm -rf "$work"
    exit $rc
}
trap cleanup EXIT

if ! docker info > /dev/null 2>&1; then
    phase "starting dockerd (no bridge, no iptables)"
    dockerd --bridge=none --iptables=false --ip-masq=false > "$work/dockerd.log" 2>&1 &
    dockerd_pid=$!
    for _ in $(seq 60); do docker info > /dev/null 2>&1 && break; sleep 0.5; done
    docker info > /dev/null 2>&1 || { cat "$work/dockerd.log" >&2; exit 1; }
fi

phase "base image and wheelhouses"
bash docker/prepare-build.sh
"$PYTHON" docker/compose_check.py write-env "$work/test.env" --landing "$work/landing"
mkdir -p "$work/landing"
chmod 755 "$work/landing"

phase "building images"
"${compose[@]}" build --quiet
phase "starting the stack"
stack_started=1
"${compose[@]}" up --detach --quiet-pull > "$work/up.log" 2>&1 || { cat "$work/up.log" >&2; exit 1; }
# The bridge network must never exist on these machines: fail loudly if compose made one.
if docker network ls --format '{{.Name}}' | grep -q "^${PROJECT}_"; then
    echo "compose-test: a Docker network ${PROJECT}_* was created; the test stack must use host networking" >&2
    exit 1
fi
phase "checking"
"$PYTHON" docker/compose_check.py check --env-file "$work/test.env" --landing "$work/landing" \
    --compose "${compose[*]}"
phase "done"
