#!/bin/sh
# Entry point of the offline docker:dind stand-in: runs dockerd on the unix socket (like docker:dind with
# DOCKER_TLS_CERTDIR=""), or the command given when it is not a dockerd flag.
set -e
case "${1:-}" in
  ""|-*) exec dockerd --host=unix:///var/run/docker.sock "$@" ;;
  *) exec "$@" ;;
esac
