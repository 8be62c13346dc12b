#!/bin/sh
# The minio/minio stand-in's entry point: like minio's, arguments that do not start with `minio` are
# passed to minio (`docker run minio/minio server /data`).
set -e
if [ -n "${1:-}" ] && [ "$1" != minio ]; then
  set -- minio "$@"
fi
exec "$@"
