#!/usr/bin/env bash
# Builds every image the tests and the reference run need, and prints `export NAME=value` lines for the
# image overrides dind-doctor honours. Where a registry is reachable the real public images are pulled and
# nothing is overridden; where none is (this project's CI machine), honest stand-ins are built from
# Debian's and PyPI's packages. Idempotent: an image already present is kept. (serve-mirror.sh publishes
# these under the public names for the tests of the pull path.)
#
#   eval "$(bash tests/images/build-offline-images.sh)"
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
work="${DIND_DOCTOR_IMAGE_WORKDIR:-/var/tmp/dind-doctor-images}"
log_tag=images
# shellcheck source=stand-in-build.sh
. "$here/stand-in-build.sh"
# shellcheck source=registry.sh
. "$here/registry.sh"

if real_registry; then
  log "a registry is reachable: the public images are used unchanged"
  for image in python:3.12-slim docker:dind docker:cli postgres:16-alpine minio/minio:latest apache/airflow:2.10.3; do
    have_image "$image" || docker pull -q "$image" >/dev/null
  done
  exit 0
fi
log "no registry reachable: building offline stand-ins in $work"
mkdir -p "$work"

PROBE_IMAGE=dind-doctor/busybox:offline
PYTHON_IMAGE=dind-doctor/python:3.11-bookworm
DIND_IMAGE=dind-doctor/docker:dind-offline

# A tiny probe image: Debian's static busybox and its applet links. (Its wget cannot resolve names.)
if needs_build "$PROBE_IMAGE" busybox-root; then
  mkdir -p "$build_dir/bin" "$build_dir/tmp" "$build_dir/etc"
  cp /bin/busybox "$build_dir/bin/busybox"
  chroot "$build_dir" /bin/busybox --install -s /bin
  echo 'root:x:0:0:root:/root:/bin/sh' >"$build_dir/etc/passwd"
  import_stand_in "$PROBE_IMAGE" --change 'CMD ["sh"]'
fi

# A Debian + Python image standing in for python:3.12-slim (it is Python 3.11, hence its own tag).
if needs_build "$PYTHON_IMAGE" python-root "debootstrap, about a minute"; then
  debootstrap --variant=minbase --include=python3,python3-pip,python-is-python3,curl,ca-certificates \
    bookworm "$build_dir" >"$work/debootstrap.log" 2>&1
  # Containers reach PyPI through this machine's TLS proxy: its CA bundle goes in, pip is pointed at it.
  cp /etc/ssl/certs/ca-certificates.crt "$build_dir/etc/ssl/certs/ca-certificates.crt"
  # python:3.12-slim lets pip install system-wide; Debian's PEP 668 marker would refuse it.
  rm -f "$build_dir"/usr/lib/python3*/EXTERNALLY-MANAGED
  rm -rf "$build_dir"/var/cache/apt/archives/*.deb "$build_dir"/var/lib/apt/lists/*
  import_stand_in "$PYTHON_IMAGE" \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'ENV PIP_CERT=/etc/ssl/certs/ca-certificates.crt' \
    --change 'ENV PIP_DISABLE_PIP_VERSION_CHECK=1' \
    --change 'CMD ["python3"]'
  rm -rf "$build_dir"
fi

# A docker:dind / docker:cli stand-in: Debian's engine, this machine's static CLI and the compose plugin,
# at the paths the official images use (so `COPY --from=<cli image> /usr/local/bin/docker` works).
if needs_build "$DIND_IMAGE" dind-context; then
  cp "$(command -v docker)" "$build_dir/docker"
  compose="$(docker info --format '{{range .ClientInfo.Plugins}}{{if eq .Name "compose"}}{{.Path}}{{end}}{{end}}' 2>/dev/null || true)"
  [ -n "$compose" ] || compose="$HOME/.docker/cli-plugins/docker-compose"
  cp "$compose" "$build_dir/docker-compose"
  cp "$here/dind-entrypoint.sh" "$build_dir/dind-entrypoint.sh"
  cat >"$build_dir/Dockerfile" <<EOF
FROM $PYTHON_IMAGE
RUN apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      docker.io iptables procps >/dev/null && rm -rf /var/lib/apt/lists/*
COPY docker /usr/local/bin/docker
COPY docker-compose /usr/local/libexec/docker/cli-plugins/docker-compose
COPY dind-entrypoint.sh /usr/local/bin/dockerd-entrypoint.sh
RUN chmod 0755 /usr/local/bin/docker /usr/local/libexec/docker/cli-plugins/docker-compose \
      /usr/local/bin/dockerd-entrypoint.sh
ENTRYPOINT ["/usr/local/bin/dockerd-entrypoint.sh"]
EOF
  build_stand_in "$DIND_IMAGE"
fi

# An apache/airflow:2.10.3 stand-in for `run-reference --via airflow`: Airflow and the Docker provider from
# PyPI (pip inside a container built on the Python stand-in, whose PIP_CERT points at the proxy's CA),
# pinned to the versions the shipped DAG is written for. Its `airflow` user (uid 50000, gid 0) is the
# official image's, so the run adds the socket's group exactly as a user's worker needs it.
AIRFLOW_IMAGE=dind-doctor/airflow:2.10.3-offline
if needs_build "$AIRFLOW_IMAGE" airflow-context "pip install apache-airflow, a few minutes"; then
  cat >"$build_dir/Dockerfile" <<EOF
FROM $PYTHON_IMAGE
RUN pip install --no-cache-dir -q "apache-airflow==2.10.3" "apache-airflow-providers-docker==4.4.5" \\
      --constraint "https://raw.githubusercontent.com/apache/airflow/constraints-2.10.3/constraints-3.11.txt" \\
    || pip install --no-cache-dir -q "apache-airflow==2.10.3" "apache-airflow-providers-docker==4.4.5"
RUN useradd --uid 50000 --gid 0 --home-dir /opt/airflow --create-home airflow
ENV AIRFLOW_HOME=/opt/airflow AIRFLOW__CORE__LOAD_EXAMPLES=False
USER 50000
WORKDIR /opt/airflow
EOF
  build_stand_in "$AIRFLOW_IMAGE"
fi

# Images of the reference run (PostgreSQL, S3).
reference_exports="$(PYTHON_IMAGE="$PYTHON_IMAGE" WORK="$work" bash "$here/reference-images.sh")"

echo "export DIND_DOCTOR_PROBE_IMAGE=$PROBE_IMAGE"
echo "export DIND_DOCTOR_PYTHON_IMAGE=$PYTHON_IMAGE"
echo "export DIND_DOCTOR_DIND_IMAGE=$DIND_IMAGE"
echo "export DIND_DOCTOR_DOCKER_CLI_IMAGE=$DIND_IMAGE"
echo "export DIND_DOCTOR_AIRFLOW_IMAGE=$AIRFLOW_IMAGE"
echo "$reference_exports"
