"""Ctrl-C and SIGTERM at several points of every command that creates something, and kill -9: nothing
labelled with THAT run (its owner pid) remains, no file is left in the project or in its temp folder, and a
run killed with -9 is swept by the next run, which says so.

Each run is a real `python -m dind_doctor` process against the real engine; the moment to interrupt is
either a fixed early delay or the moment a resource of that process appears (polled on the daemon and on
disk). Only what the process under test created is looked at: other runs on this engine are live.
"""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Callable

import pytest

from dind_doctor.labels import OWNER_HOST, OWNER_PID, current_owner
from support import REPO, TEST_LABEL, doctor, said_it_swept, unsettled_socket_env

SEED = REPO / "tests" / "fixtures" / "seed_project"


def _filters(pid: int) -> dict:
    return {"label": [f"{OWNER_PID}={pid}", f"{OWNER_HOST}={current_owner().host}"]}


def owned(client, pid: int) -> dict[str, list[str]]:
    """Everything on the daemon labelled as created by process `pid` of this host."""
    f = _filters(pid)
    return {"containers": [c.name for c in client.containers.list(all=True, filters=f, ignore_removed=True)],
            "networks": [n.name for n in client.networks.list(filters=f)],
            "volumes": [v.name for v in client.volumes.list(filters=f)]}


def run_files(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.name.startswith((".dind-doctor-", "dind-doctor-"))]


class Run:
    """A dind-doctor process with a private TMPDIR, interrupted on a trigger."""

    def __init__(self, args: list[str], tmp: Path, env: dict | None = None) -> None:
        self.tmp = tmp / f"tmp-{uuid.uuid4().hex[:6]}"
        self.tmp.mkdir()
        full_env = dict(os.environ, TMPDIR=str(self.tmp), **(env or {}))
        self.proc = subprocess.Popen([sys.executable, "-m", "dind_doctor", *args], stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True, env=full_env)
        self.started = time.monotonic()

    def wait_for(self, trigger: Callable[[], bool], limit: float = 120) -> bool:
        """True once `trigger()` holds while the run is alive; False when it ended (or `limit` passed) first."""
        while self.proc.poll() is None and time.monotonic() - self.started < limit:
            if trigger():
                return True
            time.sleep(0.03)
        return False

    def interrupt_when(self, trigger: Callable[[], bool], sig: int, limit: float = 120) -> bool:
        """Send `sig` once `trigger()` holds; False when the run ended (or `limit` passed) first."""
        if not self.wait_for(trigger, limit):
            return False
        self.proc.send_signal(sig)
        return True

    def finish(self) -> tuple[int, str, str]:
        out, err = self.proc.communicate(timeout=180)
        return self.proc.returncode, out, err


def after(seconds: float) -> Callable[[], bool]:
    deadline = time.monotonic() + seconds
    return lambda: time.monotonic() >= deadline


def assert_nothing_left(client, run: Run, project: Path, sent: bool, code: int, err: str) -> None:
    assert owned(client, run.proc.pid) == {"containers": [], "networks": [], "volumes": []}, err
    assert run_files(project) == [], err
    assert list(run.tmp.iterdir()) == [], err
    assert "Traceback" not in err or not sent or code == 130, err
    if sent:
        # Interrupted before it finished: the exit says so. At a fixed early delay the signal may land while
        # Python itself imports or starts up: its own exits (1 from click's Abort, -2/-15 killed by the
        # signal before a handler exists) count as well; the moments a resource exists are asserted 130.
        assert code in (130, 1, -signal.SIGINT, -signal.SIGTERM), (code, err)


@pytest.fixture
def seed_copy(tmp_path):
    project = shutil.copytree(SEED, tmp_path / "seed project")
    tag = f"ddi{uuid.uuid4().hex[:8]}"
    compose = project / "hosted" / "docker-compose.yml"
    compose.write_text(compose.read_text().replace("image: extractor_sql_dag_img", f"image: dind-doctor-test/{tag}"))
    return project


def _trigger(client, project: Path, run: Run, what: str) -> Callable[[], bool]:
    if what.startswith("delay:"):
        return after(float(what.split(":")[1]))
    if what == "container":
        return lambda: bool(client.containers.list(all=True, filters=_filters(run.proc.pid), ignore_removed=True))
    if what == "sentinel":
        return lambda: bool(run_files(project))
    if what == "compose child":  # a `docker compose` child of the run is running
        return lambda: _compose_child(run.proc.pid)
    raise AssertionError(what)


def _compose_child(pid: int) -> bool:
    import psutil

    try:
        return any("compose" in child.cmdline() for child in psutil.Process(pid).children(recursive=True))
    except psutil.Error:
        return False


# `check` writes no temp file any more (env-file reads compose's own model): its `docker compose config` child
# is the moment instead, in a seed whose compose file leaves compose something to resolve (an interpolation).
CHECK_POINTS = [("SIGINT", "delay:0.5"), ("SIGINT", "delay:1.5"), ("SIGINT", "container"), ("SIGINT", "sentinel"),
                ("SIGTERM", "delay:1.0"), ("SIGTERM", "container"), ("SIGTERM", "sentinel"),
                ("SIGTERM", "compose child")]


@pytest.mark.parametrize("signame,when", CHECK_POINTS)
def test_check_interrupted(docker_client, seed_copy, tmp_path, signame, when):
    env = None
    if when == "compose child":
        compose = seed_copy / "hosted" / "docker-compose.yml"
        compose.write_text(compose.read_text().replace("image: dind-doctor-test/", "image: ${REGISTRY:-dind-doctor-test}/"))
    if when == "sentinel":  # so that pwd-path-forms writes its sentinel in the project and probes it
        env = unsettled_socket_env(tmp_path)
    run = Run(["check", "--project", str(seed_copy), "--format", "json"], tmp_path, env=env)
    sent = run.interrupt_when(_trigger(docker_client, seed_copy, run, when), getattr(signal, signame))
    code, _out, err = run.finish()
    if when in ("container", "sentinel", "compose child"):
        assert sent, f"the run ended before a {when} appeared: {err}"
    assert_nothing_left(docker_client, run, seed_copy, sent, code, err)
    if sent and when in ("container", "sentinel", "compose child"):
        assert code == 130 and "interrupted" in err, (code, err)


@pytest.mark.parametrize("signame,when", [("SIGTERM", "container"), ("SIGINT", "sentinel"), ("SIGTERM", "sentinel"),
                                          ("SIGINT", "delay:0.8")])
def test_levels_interrupted(docker_client, hanging, tmp_path, signame, when):
    run = Run(["levels", "--project", str(hanging)], tmp_path)
    sent = run.interrupt_when(_trigger(docker_client, hanging, run, when), getattr(signal, signame))
    code, _out, err = run.finish()
    assert sent, err
    assert_nothing_left(docker_client, run, hanging, sent, code, err)
    if when != "delay:0.8":
        assert code == 130, (code, err)


@pytest.fixture
def volume(docker_client, tmp_path):
    vol = docker_client.volumes.create(f"ddi-sync-{uuid.uuid4().hex[:8]}", labels=TEST_LABEL)
    source = tmp_path / "source"
    source.mkdir()
    for i in range(200):
        (source / f"f{i}.txt").write_text(f"file {i}\n" * 50)
    (source / ".env").write_text("A=1\n")
    yield vol.name, source
    vol.remove(force=True)


@pytest.mark.parametrize("signame,when", [("SIGTERM", "container"), ("SIGINT", "container"), ("SIGTERM", "delay:0.6"),
                                          ("SIGINT", "delay:1.2")])
def test_sync_volume_interrupted(docker_client, volume, tmp_path, signame, when):
    name, source = volume
    run = Run(["sync-volume", name, str(source)], tmp_path)
    sent = run.interrupt_when(_trigger(docker_client, source, run, when), getattr(signal, signame))
    code, _out, err = run.finish()
    if when == "container":
        assert sent, err
    assert_nothing_left(docker_client, run, source, sent, code, err)


@pytest.mark.parametrize("signame,when", [("SIGINT", "container"), ("SIGTERM", "network"), ("SIGINT", "network")])
def test_run_reference_interrupted(docker_client, tmp_path, signame, when):
    # --force: to reach the servers whatever the preflight says of the shipped module on this machine.
    run = Run(["run-reference", "--force"], tmp_path)

    def network() -> bool:
        return bool(docker_client.networks.list(filters=_filters(run.proc.pid)))

    trigger = network if when == "network" else _trigger(docker_client, tmp_path, run, when)
    sent = run.interrupt_when(trigger, getattr(signal, signame), limit=600)
    code, out, err = run.finish()
    assert sent, out + err
    assert owned(docker_client, run.proc.pid) == {"containers": [], "networks": [], "volumes": []}, out
    assert code == 130 and "interrupted" in out, (code, out, err)


def _killed_while_its_probe_exists(client, project: Path, tmp_path: Path) -> tuple[Run, dict[str, list[str]]]:
    """A run killed -9 while its probe container exists, and what it left. The probe lives a fraction of a
    second: the kill may land after the run has asked the daemon to remove it (the removal then completes
    without it). Such an attempt proves nothing and is made again."""
    for _ in range(5):
        # Not env-file: its `docker compose run --rm` child outlives a kill -9 and removes its own container.
        run = Run(["check", "nesting-level", "pwd-path-forms", "--project", str(project), "--format", "json"], tmp_path)
        assert run.interrupt_when(_trigger(client, project, run, "container"), signal.SIGKILL)
        run.finish()
        time.sleep(1.0)  # a removal the run sent just before the kill: the daemon finishes it meanwhile
        left = owned(client, run.proc.pid)
        if left["containers"]:
            return run, left
    raise AssertionError("in 5 runs, kill -9 never landed while the run's probe container existed")


def test_a_run_killed_with_sigkill_is_swept_by_the_next_run(docker_client, seed_copy, tmp_path):
    run, left = _killed_while_its_probe_exists(docker_client, seed_copy, tmp_path)
    proc = doctor("check", "nesting-level", "--project", str(tmp_path), "--format", "json")
    assert proc.returncode in (0, 1) and "Traceback" not in proc.stderr
    assert owned(docker_client, run.proc.pid) == {"containers": [], "networks": [], "volumes": []}
    assert said_it_swept(proc.stderr, run.proc.pid), proc.stderr
    if f"pid {run.proc.pid}" in proc.stderr:  # named one by one
        assert all(name in proc.stderr for name in left["containers"]), (left, proc.stderr)


def test_a_sentinel_folder_left_by_sigkill_is_swept_by_the_next_check(docker_client, seed_copy, tmp_path):
    # The killed run reaches the daemon through a symlinked socket: nothing settles the daemon's mounts, so it
    # writes a sentinel (daemon_mounts.py). The next run sweeps it whether or not it writes one itself.
    env = unsettled_socket_env(tmp_path)
    run = Run(["check", "pwd-path-forms", "--project", str(seed_copy), "--format", "json"], tmp_path, env=env)
    assert run.interrupt_when(_trigger(docker_client, seed_copy, run, "sentinel"), signal.SIGKILL)
    run.finish()
    left = run_files(seed_copy)
    assert left, "kill -9 gave the run no chance to remove its sentinel folder"
    proc = doctor("check", "pwd-path-forms", "--project", str(seed_copy), "--format", "json")
    assert "Traceback" not in proc.stderr
    assert run_files(seed_copy) == [], proc.stderr
    assert f"pid {run.proc.pid}, no longer running" in proc.stderr
    time.sleep(0.5)  # the killed run's probe container, if it got that far, goes with the same sweep
    assert owned(docker_client, run.proc.pid) == {"containers": [], "networks": [], "volumes": []}


def test_a_live_runs_resources_are_never_swept(docker_client, hanging, tmp_path):
    run = Run(["levels", "--project", str(hanging)], tmp_path)
    assert run.wait_for(_trigger(docker_client, hanging, run, "container"))
    try:
        assert owned(docker_client, run.proc.pid)["containers"]
        proc = doctor("check", "nesting-level", "--project", str(tmp_path), "--format", "json")
        assert f"pid {run.proc.pid}" not in proc.stderr
        assert owned(docker_client, run.proc.pid)["containers"]  # still there: its owner is alive
    finally:
        run.proc.send_signal(signal.SIGTERM)
        code, _out, err = run.finish()
    assert_nothing_left(docker_client, run, hanging, True, code, err)
