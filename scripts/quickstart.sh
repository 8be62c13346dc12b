#!/usr/bin/env bash
# One command from a checkout to a passing `dind-doctor run-reference`, printing each step:
#   1. a Docker engine: used as it is when it answers; on Debian/Ubuntu with none, .ci/install-engine.sh
#      installs and starts Debian's (plus the compose plugin and what the offline images need);
#   2. images: when no registry serves the public images (an offline or filtered machine), the offline
#      stand-ins of tests/images/build-offline-images.sh are built and the DIND_DOCTOR_*_IMAGE variables
#      point at them; with a registry, run-reference pulls what it needs itself, with progress;
#   3. dind-doctor installed from this checkout into a virtual environment ($DIND_DOCTOR_VENV, default
#      ~/.local/share/dind-doctor/venv);
#   4. `dind-doctor run-reference ARGS` (e.g. --mode dind).
#
#   bash scripts/quickstart.sh [run-reference options]
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
venv="${DIND_DOCTOR_VENV:-$HOME/.local/share/dind-doctor/venv}"
step() { printf '\n[quickstart] step %s\n' "$*" >&2; }
die() { printf '[quickstart] %s\n' "$*" >&2; exit 1; }
engine_answers() { docker version --format '{{.Server.Version}}' >/dev/null 2>&1; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
debian_like() { grep -qiE '^(ID|ID_LIKE)=.*(debian|ubuntu)' /etc/os-release 2>/dev/null; }

step "1/4: a Docker engine"
if engine_answers && docker compose version >/dev/null 2>&1; then
  echo "engine $(docker version --format '{{.Server.Version}}') answers; compose $(docker compose version --short)" >&2
elif debian_like && command -v apt-get >/dev/null; then
  echo "installing what is missing with .ci/install-engine.sh (apt-get, dockerd, the compose plugin)" >&2
  as_root bash "$repo/.ci/install-engine.sh"
  engine_answers || die "the engine was started but this user cannot reach it: \`sudo usermod -aG docker $USER\`, log in again, and re-run"
else
  die "no Docker engine answers: install Docker Desktop or Docker Engine (https://docs.docker.com/engine/install/), start it, and re-run"
fi

step "2/4: the images run-reference needs"
# shellcheck source=../tests/images/registry.sh
. "$repo/tests/images/registry.sh"
if real_registry; then
  echo "a registry answers: run-reference pulls the public images itself" >&2
else
  echo "no registry serves the public images: building the offline stand-ins (a few minutes the first time)" >&2
  command -v debootstrap >/dev/null || { debian_like && as_root bash "$repo/.ci/install-engine.sh"; } ||
    die "building the stand-ins needs debootstrap and busybox-static (Debian/Ubuntu), or a reachable registry"
  eval "$(as_root bash "$repo/tests/images/build-offline-images.sh")"
  env | grep '^DIND_DOCTOR_.*_IMAGE=' | sed 's/^/  /' >&2
fi

step "3/4: dind-doctor into $venv"
[ -x "$venv/bin/python" ] || python3 -m venv "$venv" || die "python3 -m venv failed (Debian/Ubuntu: apt-get install python3-venv)"
"$venv/bin/python" -m pip install -q --upgrade "$repo" 2>&1 | grep -v -E '^WARNING|^\[notice\]' >&2 || true
"$venv/bin/dind-doctor" --version >&2

step "4/4: dind-doctor run-reference $*"
status=0
"$venv/bin/dind-doctor" run-reference "$@" || status=$?
printf '\n[quickstart] done (exit %s). dind-doctor is %s; diagnose your own project with `dind-doctor check --project PATH`\n' \
  "$status" "$venv/bin/dind-doctor" >&2
exit "$status"
