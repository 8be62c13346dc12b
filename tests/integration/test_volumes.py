"""named-volume-visibility and sync-volume against a real engine, on the seed's project shape.

The user's story: run the module, change app/, rebuild, run again, and the OLD code runs, because the named
volume on /home/app was filled from the image once and hides it ever since.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import uuid
from pathlib import Path

import docker
import pytest

from support import REPO, SOCK, TroubleProxy, doctor, ended_runs_leftovers, findings_of

FIXTURE = REPO / "tests" / "fixtures" / "nesting" / "seed_like"
CHECK = "named-volume-visibility"


@pytest.fixture
def seed_like(docker_client, tmp_path):
    """A copy of the seed-like project, with names of its own; everything compose made is removed after."""
    project = tmp_path / "project"
    shutil.copytree(FIXTURE, project)
    tag = f"ddt{uuid.uuid4().hex[:8]}"
    env = dict(os.environ, COMPOSE_PROJECT_NAME=tag, MODULE_IMAGE=f"dind-doctor-test/{tag}-module",
               MODULE_CONTAINER=f"{tag}-module", FIRST_CONTAINER=f"{tag}-first",
               MODULE_BASE=os.environ["DIND_DOCTOR_PYTHON_IMAGE"], PROBE_IMAGE=os.environ["DIND_DOCTOR_PROBE_IMAGE"])
    hosted = project / "hosted"

    def compose(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(["docker", "compose", *args], cwd=hosted, env=env, capture_output=True,
                              text=True, timeout=300)

    yield project, hosted, env, compose, f"{tag}_extractor_sql_dag_shared_app"
    compose("down", "-v", "--remove-orphans")
    try:
        docker_client.images.remove(env["MODULE_IMAGE"], force=True)
    except Exception:
        pass


def _check(project: Path, env: dict) -> list[dict]:
    proc = doctor("check", CHECK, "--project", str(project), "--format", "json", env=env)
    assert "Traceback" not in proc.stderr, proc.stderr
    return findings_of(json.loads(proc.stdout), CHECK)


def _leftovers(client) -> list:
    return ended_runs_leftovers(client, "volume-helper", "image-helper")


def test_stale_volume_fails_then_sync_volume_and_down_v_make_it_clean(docker_client, seed_like):
    project, hosted, env, compose, real = seed_like
    up = compose("up", "--build", "--exit-code-from", "extractor_sql")
    assert up.returncode == 0, up.stdout[-2000:] + up.stderr[-2000:]
    assert "extractor version 1" in up.stdout

    first = _check(project, env)
    assert [f["status"] for f in first] == ["ok"], first
    assert first[0]["evidence"]["real name"] == real
    assert first[0]["evidence"]["verdict"] == "fresh"

    # The user's edit, rebuild and rerun: the old code still runs.
    (hosted / "app" / "extractor_03.py").write_text('print("extractor version 2")\n')
    rerun = compose("up", "--build", "--exit-code-from", "extractor_sql")
    assert "extractor version 1" in rerun.stdout, rerun.stdout[-2000:]

    stale = _check(project, env)
    assert [f["status"] for f in stale] == ["fail"], stale
    assert stale[0]["summary"].startswith(f"stale volume {real}: your last build is not what runs")
    assert "extractor_03.py" in stale[0]["evidence"]["volume vs image"]
    assert f"docker volume rm {real}" in stale[0]["fixes"][0]["text"]
    assert not _leftovers(docker_client)

    synced = doctor("sync-volume", real, str(hosted / "app"), env=env)
    assert synced.returncode == 0, synced.stdout + synced.stderr
    assert "1 dotfile(s)" in synced.stdout and "verified" in synced.stdout
    assert [f["status"] for f in _check(project, env)] == ["ok"]
    assert "extractor version 2" in compose("up", "--exit-code-from", "extractor_sql").stdout

    # The other fix: `down -v` removes the volume, and the next `up` fills it from the new image.
    (hosted / "app" / "extractor_03.py").write_text('print("extractor version 3")\n')
    compose("build")
    found = _check(project, env)
    assert [f["status"] for f in found] == ["fail"], found
    compose("down", "-v")
    gone = _check(project, env)
    assert gone[0]["status"] == "ok" and "not created yet" in gone[0]["summary"]
    assert "extractor version 3" in compose("up", "--exit-code-from", "extractor_sql").stdout
    assert not _leftovers(docker_client)


def test_hand_sync_with_star_misses_dotenv(docker_client, seed_like):
    """The user's `cp -r /source/* /mnt/` leaves .env behind: a finding of its own."""
    project, hosted, env, compose, real = seed_like
    assert compose("up", "--build", "--exit-code-from", "extractor_sql").returncode == 0
    wipe = ["sh", "-c", "rm -rf /mnt/* /mnt/.[!.]* && cp -r /source/* /mnt/"]
    docker_client.containers.run(env["PROBE_IMAGE"], wipe, remove=True, volumes={
        real: {"bind": "/mnt", "mode": "rw"}, str(hosted / "app"): {"bind": "/source", "mode": "ro"}})
    findings = _check(project, env)
    # The image holds .env too (the seed bakes it in), so the volume is stale AND lacks the dotfile.
    assert [f["status"] for f in findings] == ["fail", "fail"], findings
    dotfile = [f for f in findings if "dotfiles" in f["summary"]]
    assert dotfile and dotfile[0]["status"] == "fail" and ".env" in dotfile[0]["summary"]
    assert "cp -r /source/. /mnt/" in dotfile[0]["detail"]


def test_sync_volume_refuses_an_unknown_volume_and_suggests_the_prefixed_name(docker_client, seed_like):
    project, hosted, env, compose, real = seed_like
    assert compose("up", "--build", "--exit-code-from", "extractor_sql").returncode == 0
    proc = doctor("sync-volume", "extractor_sql_dag_shared_app", str(hosted / "app"), env=env)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert "Did you mean" in proc.stderr and real in proc.stderr
    assert not docker_client.volumes.list(filters={"name": "^extractor_sql_dag_shared_app$"})


@pytest.mark.parametrize("trouble", ["helper removed", "connection dropped"])
def test_daemon_trouble_mid_check_is_an_error_and_leaves_no_helper(docker_client, seed_like, tmp_path, trouble):
    project, hosted, env, compose, real = seed_like
    assert compose("run", "--rm", "--no-deps", "--build", "--entrypoint", "true", "extractor_sql").returncode == 0
    raw = docker.APIClient(base_url=f"unix://{SOCK}", timeout=10)

    def act(match):
        if trouble == "helper removed":  # someone removes the helper while it is being read
            raw.remove_container(match.group(1).decode(), force=True)
            return "forward"
        return "drop"

    proxy = TroubleProxy(str(tmp_path / "proxy.sock"), r"GET /v[\d.]+/containers/([0-9a-f]+)/archive", act)
    try:
        proc = doctor("check", CHECK, "--project", str(project), "--format", "json",
                      env=dict(env, DOCKER_HOST=f"unix://{tmp_path / 'proxy.sock'}"))
    finally:
        proxy.close()
    assert proxy.fired and "Traceback" not in proc.stderr
    [finding] = findings_of(json.loads(proc.stdout), CHECK)
    assert finding["status"] == "error", finding
    assert "mid-check" in finding["summary"]
    assert proc.returncode == 1
    assert not _leftovers(docker_client)
