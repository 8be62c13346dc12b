"""FIFOs where compose files and .env files belong, with a real engine and the compose plugin: dind-doctor
never opens them, never hands them to `docker compose`, finishes well inside its timeout, and leaves no
process behind (a `docker compose` blocked on a FIFO outlived dind-doctor before)."""
from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

import psutil
import pytest

from support import REPO, doctor

SEED = REPO / "tests" / "fixtures" / "seed_project"
pytestmark = pytest.mark.skipif(os.name == "nt", reason="FIFOs are POSIX")


def _fifo(path: Path) -> None:
    path.unlink(missing_ok=True)
    os.mkfifo(path)


def _left_behind(project: Path) -> list[str]:
    """Processes still running that name the project or work in it (a compose child blocked on a FIFO)."""
    found = []
    for proc in psutil.process_iter(["pid", "cmdline", "cwd"]):
        try:
            cmd = " ".join(proc.info["cmdline"] or [])
            cwd = proc.info["cwd"] or ""
        except (psutil.Error, TypeError):
            continue
        if proc.pid != os.getpid() and (str(project) in cmd or cwd.startswith(str(project))):
            found.append(f"{proc.pid}: {cmd}")
    return found


@pytest.fixture
def seed_with_fifos(tmp_path: Path) -> Path:
    project = Path(shutil.copytree(SEED, tmp_path / "seed"))
    _fifo(project / "hosted" / "app" / ".env")  # the module's env_file, as 1Password Environments mounts it
    _fifo(project / "hosted" / ".env")  # the .env compose reads next to the compose file
    _fifo(project / "docker-compose.yml")  # a compose file that is a FIFO
    return project


def test_check_with_fifos_finishes_and_leaves_no_compose_process(docker_client, seed_with_fifos: Path):
    started = time.monotonic()
    proc = doctor("check", "--project", str(seed_with_fifos), "--format", "json", timeout=120)
    took = time.monotonic() - started
    assert "Traceback" not in proc.stderr, proc.stderr
    report = json.loads(proc.stdout)
    fifo_paths = {(f.get("location") or {}).get("path") for f in report["findings"]
                  if f["check"] == "project-files" and "FIFO" in f["summary"]}
    assert fifo_paths == {"hosted/app/.env", "hosted/.env", "docker-compose.yml"}
    assert not any(f["status"] == "error" for f in report["findings"]), report["findings"]
    assert _left_behind(seed_with_fifos) == [], f"left running after {took:.0f} s"


def test_levels_never_hands_a_fifo_to_compose(docker_client, seed_with_fifos: Path):
    proc = doctor("levels", "--project", str(seed_with_fifos), timeout=180)
    assert "Traceback" not in proc.stderr, proc.stderr
    assert proc.returncode != 0 and "FIFO" in proc.stdout + proc.stderr
    assert _left_behind(seed_with_fifos) == []
