#!/usr/bin/env bash
# The one Debian base every image of the stack builds FROM (csc-base:bookworm), made from
# Debian's own packages with mmdebstrap and `docker import`: no image registry is needed.
# It carries the system packages the services need, so image builds can run with --network none:
#   python3 + venv  the pipeline's and Superset's virtualenvs (bookworm's Python 3.11, as on the host)
#   postgresql      the warehouse and Airflow's metadata database (Debian's PostgreSQL 15)
#   redis-server    the Celery broker
#   tini            PID 1 that forwards signals and reaps children
#   curl            health checks
# Usage: docker/base-image.sh [--rebuild]   (skips the build when the image exists)
set -euo pipefail
IMAGE=${CSC_BASE_IMAGE:-csc-base:bookworm}
PACKAGES=python3,python3-venv,postgresql,redis-server,tini,curl,ca-certificates,tzdata

if [ "${1:-}" != "--rebuild" ] && docker image inspect "$IMAGE" > /dev/null 2>&1; then
    echo "base image $IMAGE exists (docker/base-image.sh --rebuild to make it again)"
    exit 0
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "building $IMAGE from Debian bookworm packages (mmdebstrap, about a minute)..."
# No documentation or man pages; no cluster from postgresql's postinst (each service makes its own);
# no apt lists (the images never run apt).
mmdebstrap --variant=minbase --include="$PACKAGES" \
    --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/doc/*' \
    --dpkgopt='path-exclude=/usr/share/locale/*' \
    --customize-hook='rm -rf "$1"/var/lib/postgresql/15/main "$1"/etc/postgresql/15/main "$1"/var/lib/apt/lists/*' \
    --quiet bookworm "$work/rootfs.tar"
docker import \
    --change 'ENV LANG=C.UTF-8 PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'CMD ["/bin/bash"]' \
    --message "Debian bookworm minbase + $PACKAGES (docker/base-image.sh)" \
    "$work/rootfs.tar" "$IMAGE" > /dev/null
echo "base image $IMAGE: $(docker image inspect --format '{{.Size}}' "$IMAGE" | awk '{printf "%.0f MB", $1/1e6}')"
