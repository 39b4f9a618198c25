#!/usr/bin/env bash
# Build the Tribune image from the Dockerfile and smoke-test it with compose.yaml's web and
# worker services (the systemd units' command lines): scripts/deploy_smoke.py --compose.
#
#   scripts/container_smoke.sh POSTGRES_URL REDIS_URL
#
# Needs a running Docker daemon and docker-compose. Offline-compatible: the Python
# dependencies are built into ./wheels from PyPI as configured on this machine, and when
# the python:3.11-slim-bookworm image cannot be pulled, a Debian bookworm base with
# Python 3.11 is made with debootstrap from Debian's own archive (docs/deploy.md).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-.venv/bin/python}
BASE=python:3.11-slim-bookworm

if ! docker image inspect "$BASE" >/dev/null 2>&1 && ! docker pull -q "$BASE" >/dev/null 2>&1; then
  BASE=tribune-base:bookworm
  if ! docker image inspect "$BASE" >/dev/null 2>&1; then
    root=$(mktemp -d /tmp/tribune-rootfs.XXXXXX)
    debootstrap --variant=minbase --include=python3,python3-venv,python-is-python3,ca-certificates \
      bookworm "$root" http://deb.debian.org/debian >/dev/null
    tar -C "$root" -c . | docker import - "$BASE" >/dev/null
    rm -rf "$root"
  fi
fi

# Every dependency as a wheel (and what building Tribune's own wheel needs); Debian's
# Python 3.11.2 also wants async-timeout for redis.
"$PYTHON" -m pip wheel --quiet --wheel-dir wheels . setuptools wheel "async-timeout>=4.0.3"
docker build --quiet --network host --build-arg PYTHON_IMAGE="$BASE" --build-arg PIP_NO_INDEX=1 \
  -t tribune:local . >/dev/null
"$PYTHON" scripts/deploy_smoke.py --compose "$1" "$2"
