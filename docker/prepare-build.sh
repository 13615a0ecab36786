#!/usr/bin/env bash
# What `docker-compose build` needs on the host first, since no registry and no network are
# reachable from a build: the Debian base image and the two wheelhouses (each from its lock).
set -euo pipefail
cd "$(dirname "$0")/.."
bash docker/base-image.sh
# setuptools and wheel: the image installs the project itself (pyproject's build backend) offline.
bash docker/wheelhouse.sh requirements.lock docker/pipeline/wheels setuptools==80.9.0 wheel
bash docker/wheelhouse.sh docker/superset/requirements.lock docker/superset/wheels
