#!/usr/bin/env bash
# What a release publishes must work: `python -m build` gives a wheel and an sdist; each is installed into
# a fresh venv (never pointing back at the source tree, so the package-dir mapping of checks/ and hosted/
# is proven) and runs every command.
set -euo pipefail
cd "$(dirname "$0")/.."
src="$PWD"
dist="$(mktemp -d)"
python3 -m build --outdir "$dist" . 2>&1 | tail -n 1
wheel="$(ls "$dist"/dind_doctor-*.whl)"
sdist="$(ls "$dist"/dind_doctor-*.tar.gz)"
version="$(python3 -c 'import re,sys; print(re.search(r"__version__ = \"([^\"]+)\"", open(sys.argv[1]).read())[1])' dind_doctor/__init__.py)"
case "$wheel" in *"-$version-"*) ;; *) echo "wheel $wheel is not version $version" >&2; exit 1 ;; esac

check_install() {  # $1: what to install (the wheel or the sdist)
  local venv work
  venv="$(mktemp -d)/venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q "$1" 2>&1 | grep -v -E '^WARNING' || true
  work="$(mktemp -d)"
  cd "$work"  # away from the source tree, so nothing is imported from it by accident
  [ "$("$venv/bin/dind-doctor" --version)" = "dind-doctor, version $version" ]
  "$venv/bin/dind-doctor" --help >/dev/null
  for command in check baseline list-checks explain levels translate sync-volume run-reference; do
    "$venv/bin/dind-doctor" "$command" --help >/dev/null
  done
  "$venv/bin/dind-doctor" list-checks
  "$venv/bin/dind-doctor" explain docker-socket >/dev/null
  "$venv/bin/dind-doctor" translate "$work" >/dev/null || [ $? -eq 1 ]
  "$venv/bin/python" -m dind_doctor check --format json >/dev/null || [ $? -eq 1 ]
  # The static project checks on a copy of the seed project, in every format, then a baseline of it.
  cp -r "$src/tests/fixtures/seed_project" seed
  for format in table json sarif github junit; do
    "$venv/bin/dind-doctor" check --static --project seed --format "$format" >/dev/null || [ $? -eq 1 ]
  done
  "$venv/bin/dind-doctor" baseline --static --project seed >/dev/null
  "$venv/bin/dind-doctor" check --static --project seed --baseline seed/.dind-doctor-baseline.json >/dev/null
  "$venv/bin/python" - <<'PY'
import importlib.resources, dind_doctor.checks, dind_doctor.hosted
assert "site-packages" in dind_doctor.checks.__file__, dind_doctor.checks.__file__
print("hosted files shipped:", sum(1 for _ in importlib.resources.files("dind_doctor.hosted").iterdir()))
PY
  if "$venv/bin/python" -c "import checks" 2>/dev/null; then
    echo "a top-level 'checks' package leaked into site-packages" >&2; exit 1
  fi
  cd "$src"
  echo "$(basename "$1"): every command runs"
}

check_install "$wheel"
check_install "$sdist"
