"""`dind-doctor map --format html` rendered by a real headless browser (Debian's chromium): the DOM a user's
browser builds holds every level, and a screenshot is taken (tests/data is not written: tmp_path)."""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_project_support import SEED

from dind_doctor.cli import cli

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def _chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    if CHROMIUM is None:
        if os.environ.get("CI") == "true":
            pytest.fail("chromium is missing on a CI machine: .ci/install-engine.sh installs it")
        pytest.skip("chromium is not installed (apt-get install -y chromium; .ci/install-engine.sh does it)")
    # --no-sandbox: CI runs as root, where chromium refuses its sandbox; a profile of its own per test.
    return subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                           f"--user-data-dir={tmp_path / 'profile'}", *args],
                          capture_output=True, text=True, timeout=120, check=False)


def test_html_map_renders_in_headless_chromium(tmp_path: Path):
    page = tmp_path / "map.html"
    result = CliRunner().invoke(cli, ["map", "--project", str(SEED), "--format", "html", "-o", str(page)])
    assert result.exit_code == 0, result.output
    dom = _chromium(tmp_path, "--dump-dom", page.as_uri())
    assert dom.returncode == 0, dom.stderr[-2000:]
    text = dom.stdout
    assert "<h1>dind-doctor map: seed_project</h1>" in text
    assert "HOST: host (seed_project)" in text
    assert "OUTER CONTAINER: docker run python-dind:3.12-slim" in text
    assert "MODULE CONTAINER: service extractor_sql (extractor_sql_dag_img)" in text
    assert "MODULE CONTAINER: service first_container (busybox:latest)" in text
    assert "hosted_extractor_sql_dag_shared_app -&gt; /home/app" in text
    assert text.count('class="level ') == 4  # host, outer, two modules: the nesting survived parsing

    shot = tmp_path / "map.png"
    taken = _chromium(tmp_path, f"--screenshot={shot}", "--window-size=1200,1400", page.as_uri())
    assert taken.returncode == 0, taken.stderr[-2000:]
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 10_000
    keep = os.environ.get("DIND_DOCTOR_MAP_SCREENSHOT")
    if keep:  # for a human to look at: DIND_DOCTOR_MAP_SCREENSHOT=/tmp/map.png pytest -k chromium
        shutil.copyfile(shot, keep)
