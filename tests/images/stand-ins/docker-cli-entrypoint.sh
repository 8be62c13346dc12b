#!/bin/sh
# The docker:cli stand-in's entry point: like docker:cli's, a first argument that is no program on PATH
# (`version`, `ps`, `-H ...`) is a docker command.
set -e
if [ -n "${1:-}" ] && ! command -v "$1" >/dev/null 2>&1; then
  set -- docker "$@"
fi
exec "$@"
