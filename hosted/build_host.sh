#!/bin/sh
# Builds the outer image. Run it from the folder that holds hosted/, as the seed does:
#   ./hosted/build_host.sh          # dood (default): python-dind:3.12-slim
#   ./hosted/build_host.sh dind     # dind: python-dind:dind, runs its own dockerd
# Base images can be replaced: PYTHON_IMAGE=... DOCKER_CLI_IMAGE=... DIND_IMAGE=... ./hosted/build_host.sh
set -eu
target="${1:-dood}"
case "$target" in
  dood) tag="python-dind:3.12-slim" ;;
  dind) tag="python-dind:dind" ;;
  *) echo "usage: $0 [dood|dind]" >&2; exit 2 ;;
esac
docker build --target "$target" -t "$tag" \
  --build-arg "PYTHON_IMAGE=${PYTHON_IMAGE:-python:3.12-slim}" \
  --build-arg "DOCKER_CLI_IMAGE=${DOCKER_CLI_IMAGE:-docker:cli}" \
  --build-arg "DIND_IMAGE=${DIND_IMAGE:-docker:dind}" \
  -f hosted/Dockerfile.host hosted
