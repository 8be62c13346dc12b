#!/usr/bin/env bash
# The path of a user who HAS a registry, on a machine that has none (see shared notes, registry-mirror.md):
#   1. Debian's `docker-registry` serves on 127.0.0.1:5000;
#   2. stand-ins are published there under the public names dind-doctor pulls (library/postgres:16-alpine,
#      minio/minio:latest, library/python:3.12-slim, library/docker:dind, library/docker:cli,
#      library/busybox:latest), each honouring the interface of the image it stands in for and saying so in
#      its labels (io.dind-doctor.stands-in-for);
#   3. the running engine uses that registry as its Docker Hub mirror: "registry-mirrors" merged into
#      /etc/docker/daemon.json, then SIGHUP to dockerd (a live-reloadable option: the engine is NEVER
#      restarted, other work keeps running on it), checked with `docker info`.
# The stand-ins build on the offline images of build-offline-images.sh (one place per recipe) and add only
# what the public image's interface needs, plus a STAND-IN.txt layer of their own: a pull then downloads a
# layer for real. Their local tags are removed after the push, so the next `docker pull postgres:16-alpine`
# goes through the mirror. Idempotent.
#
#   bash tests/images/serve-mirror.sh
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
addr="${DIND_DOCTOR_MIRROR_ADDR:-127.0.0.1:5000}"
mirror="http://$addr"
work="${DIND_DOCTOR_IMAGE_WORKDIR:-/var/tmp/dind-doctor-images}/mirror"
storage=/var/lib/dind-doctor-registry
log() { printf '[mirror] %s\n' "$*" >&2; }
answers() { curl -fsS -o /dev/null --max-time 2 "$mirror/v2/" 2>/dev/null; }

# 0. The offline images the stand-ins are made of (they name themselves in the exports).
eval "$(DIND_DOCTOR_OFFLINE_ONLY=1 bash "$here/build-offline-images.sh")"

# 1. The registry.
if ! answers; then
  if ! command -v docker-registry >/dev/null; then
    log "apt-get install docker-registry"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker-registry >/dev/null
  fi
  mkdir -p "$storage"
  cat >"$storage/config.yml" <<EOF
# Written by dind-doctor's tests/images/serve-mirror.sh: a local registry standing in for Docker Hub.
version: 0.1
storage: {filesystem: {rootdirectory: $storage/data}, delete: {enabled: true}}
http: {addr: $addr}
EOF
  log "starting docker-registry on $addr"
  nohup docker-registry serve "$storage/config.yml" >/var/log/dind-doctor-registry.log 2>&1 &
  for _ in $(seq 1 40); do answers && break; sleep 0.25; done
  answers || { log "docker-registry did not answer on $addr (see /var/log/dind-doctor-registry.log)"; exit 1; }
fi

# 2. The stand-ins: name (as published), base image, what it stands in for, honest notes, extra Dockerfile.
publish() {
  local name="$1" base="$2" note="$3" extra="${4:-}"
  local ctx="$work/${name//[\/:]/_}" target="$addr/$name" public="${name#library/}" stamp
  # Published already from the same base, notes and files: nothing to do (a rebuild would give a new digest).
  stamp="$( { docker image inspect -f '{{.Id}}' "$base"; printf '%s\n%s\n' "$note" "$extra"; cat "$here"/stand-ins/*; } | sha256sum)"
  if [ "$(cat "$ctx.stamp" 2>/dev/null)" = "$stamp" ] && curl -fsS -o /dev/null --max-time 5 -I \
       -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' "$mirror/v2/${name%:*}/manifests/${name##*:}"; then
    log "$public: published already"
    return
  fi
  rm -rf "$ctx" && mkdir -p "$ctx"
  cp "$here"/stand-ins/* "$ctx/"
  printf 'This image is a STAND-IN for %s, built by dind-doctor (tests/images/serve-mirror.sh) on a\nmachine that reaches no registry. %s\n' \
    "$public" "$note" >"$ctx/STAND-IN.txt"
  printf 'FROM %s\nCOPY STAND-IN.txt /STAND-IN.txt\n%s\n' "$base" "$extra" >"$ctx/Dockerfile"
  docker build -q --label io.dind-doctor.image=mirror-stand-in --label "io.dind-doctor.stands-in-for=$public" \
    --label "io.dind-doctor.stand-in-note=$note" --label "org.opencontainers.image.description=Stand-in for $public: $note" \
    -t "$target" "$ctx" 2>&1 >/dev/null | { grep -vE 'DEPRECATED|legacy builder|buildx|^ *$' >&2 || true; }
  docker push -q "$target" >/dev/null
  # Only the registry keeps it: a later pull of the public name downloads its own layer through the mirror.
  docker rmi "$target" >/dev/null
  echo "$stamp" >"$ctx.stamp"
  log "published $public (from $base)"
}

publish library/busybox:latest "$DIND_DOCTOR_PROBE_IMAGE" \
  "Debian's static busybox and its applets (its wget cannot resolve names)."
publish library/python:3.12-slim "$DIND_DOCTOR_PYTHON_IMAGE" \
  "Debian 12's Python 3.11 (not 3.12), python and pip on PATH, pip pointed at this machine's CA bundle."
publish library/postgres:16-alpine "$DIND_DOCTOR_POSTGRES_IMAGE" \
  "Debian's PostgreSQL 15 (not 16 on Alpine) with an entry point honouring POSTGRES_USER, POSTGRES_PASSWORD, POSTGRES_DB and /docker-entrypoint-initdb.d; pg_isready and psql on PATH."
publish library/docker:dind "$DIND_DOCTOR_DIND_IMAGE" \
  "Debian's dockerd 20.10 with this machine's docker CLI and compose plugin; dockerd-entrypoint.sh starts dockerd on the unix socket only (like DOCKER_TLS_CERTDIR=\"\")."
publish library/docker:cli "$DIND_DOCTOR_DOCKER_CLI_IMAGE" \
  "The docker:dind stand-in: the docker CLI at /usr/local/bin/docker and the compose plugin at /usr/local/libexec/docker/cli-plugins." \
  'ENTRYPOINT ["/usr/local/bin/docker-cli-entrypoint.sh"]
CMD ["sh"]
COPY docker-cli-entrypoint.sh /usr/local/bin/docker-cli-entrypoint.sh'
publish minio/minio:latest "$DIND_DOCTOR_S3_IMAGE" \
  "moto's S3 server behind minio's CLI: 'minio server DIR [--address HOST:PORT] [--console-address ...]'. MINIO_ROOT_USER/MINIO_ROOT_PASSWORD are required and length-checked as minio does, but NOT enforced on requests (moto accepts any key); objects live in memory, not in DIR; no console." \
  'COPY minio /usr/bin/minio
COPY minio-entrypoint.sh /usr/bin/docker-entrypoint.sh
EXPOSE 9000
ENTRYPOINT ["/usr/bin/docker-entrypoint.sh"]
CMD ["minio"]'

# 3. The engine's Docker Hub mirror, without restarting it.
pid="$(cat /var/run/docker.pid 2>/dev/null || true)"
if ! docker info --format '{{json .RegistryConfig.Mirrors}}' | grep -qF "$mirror/"; then
  [ -n "$pid" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = dockerd ] || {
    log "no dockerd behind /var/run/docker.pid: cannot reload its configuration"; exit 1; }
  mkdir -p /etc/docker
  python3 - "$mirror" <<'EOF'
import json, os, sys
path, mirror = "/etc/docker/daemon.json", sys.argv[1]
config = {}
if os.path.exists(path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    config = json.loads(text) if text.strip() else {}
mirrors = config.setdefault("registry-mirrors", [])
if mirror not in mirrors:
    mirrors.append(mirror)
with open(path + ".tmp", "w", encoding="utf-8") as f:
    json.dump(config, f, indent=2)
os.replace(path + ".tmp", path)
EOF
  log "registry-mirrors += $mirror in /etc/docker/daemon.json; SIGHUP to dockerd (pid $pid): reload, no restart"
  kill -HUP "$pid"
  for _ in $(seq 1 40); do
    docker info --format '{{json .RegistryConfig.Mirrors}}' | grep -qF "$mirror/" && break
    sleep 0.25
  done
fi
docker info --format '{{json .RegistryConfig.Mirrors}}' | grep -qF "$mirror/" || {
  log "dockerd did not take the mirror (see its log)"; exit 1; }
log "engine mirrors: $(docker info --format '{{json .RegistryConfig.Mirrors}}'); catalog: $(curl -fsS "$mirror/v2/_catalog")"
