#!/usr/bin/env bash
# A non-editable `pip install .` into a fresh venv must run every command: the package-dir mapping of
# checks/ and hosted/ is only proven by an install that does not point back at the source tree.
set -euo pipefail
venv="$(mktemp -d)/venv"
python3 -m venv "$venv"
"$venv/bin/pip" install -q . 2>&1 | grep -v -E '^WARNING' || true
cd "$(mktemp -d)"  # away from the source tree, so nothing is imported from it by accident
"$venv/bin/dind-doctor" --version
"$venv/bin/dind-doctor" --help >/dev/null
"$venv/bin/dind-doctor" list-checks
"$venv/bin/dind-doctor" explain docker-socket >/dev/null
"$venv/bin/python" -m dind_doctor check --format json >/dev/null || [ $? -eq 1 ]
"$venv/bin/python" - <<'PY'
import importlib.resources, dind_doctor.checks, dind_doctor.hosted
assert "site-packages" in dind_doctor.checks.__file__, dind_doctor.checks.__file__
print("hosted files shipped:", sum(1 for _ in importlib.resources.files("dind_doctor.hosted").iterdir()))
PY
if "$venv/bin/python" -c "import checks" 2>/dev/null; then
  echo "a top-level 'checks' package leaked into site-packages" >&2; exit 1
fi
echo "non-editable install: every command runs"
