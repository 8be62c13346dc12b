"""A `docker compose` that hangs (its file is a FIFO nobody writes) is stopped at the timeout WITH its
plugin: no `docker-compose` process is left (checked with psutil), unlike a kill of the docker CLI alone."""
from __future__ import annotations

import os
import shutil
import subprocess
import threading

import psutil
import pytest

from dind_doctor import subprocesses


def _compose_available() -> bool:
    docker = shutil.which("docker")
    if docker is None:
        return False
    return subprocess.run([docker, "compose", "version"], capture_output=True, timeout=30).returncode == 0


def _plugins_for(path: str) -> list[psutil.Process]:
    found = []
    for proc in psutil.process_iter(["name", "cmdline"]):
        cmdline = " ".join(proc.info["cmdline"] or [])
        if path in cmdline and "docker-compose" in (proc.info["name"] or "") + cmdline:
            found.append(proc)
    return found


def test_compose_timeout_kills_the_plugin(tmp_path):
    if not _compose_available():
        if os.environ.get("CI") == "true":
            pytest.fail("CI: the docker CLI with its compose plugin is required")
        pytest.skip("NO DOCKER COMPOSE PLUGIN: the process-group kill is not proven here")
    fifo = tmp_path / "docker-compose.yml"
    os.mkfifo(fifo)
    seen: list[int] = []
    stop = threading.Event()

    def watch() -> None:  # proves the plugin did run (the test would prove nothing otherwise)
        while not stop.is_set() and not seen:
            seen.extend(p.pid for p in _plugins_for(str(fifo)))
            stop.wait(0.05)

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        with pytest.raises(subprocesses.ChildFailed):
            subprocesses.run(["docker", "compose", "-f", str(fifo), "config"], timeout=8, cwd=tmp_path)
    finally:
        stop.set()
        watcher.join()
    assert seen, "the compose plugin never started: nothing was proven"
    assert _plugins_for(str(fifo)) == []
    assert not any(psutil.pid_exists(pid) and psutil.Process(pid).status() != psutil.STATUS_ZOMBIE for pid in seen)
