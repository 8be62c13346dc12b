"""A daemon that misbehaves, for real: a proxy in front of the real socket answers one endpoint with JSON of
another shape, or dies mid-run. dind-doctor says so in words and never prints a traceback; what a run
could not remove because its daemon died is swept by the next run."""
from __future__ import annotations

import json
import os
import shutil
import signal
import sys
import subprocess
import uuid

import pytest

from dind_doctor.labels import OWNER_HOST, OWNER_PID, current_owner
from support import REPO, TEST_LABEL, TroubleProxy, doctor, findings_of, json_answer, said_it_swept

SEED_LIKE = REPO / "tests" / "fixtures" / "nesting" / "seed_like"
SEED = REPO / "tests" / "fixtures" / "seed_project"


@pytest.fixture
def proxied(tmp_path):
    """(start a proxy with pattern and action, the env that sends dind-doctor through it)."""
    started = []

    def start(pattern: str, action, once: bool = True) -> TroubleProxy:
        proxy = TroubleProxy(str(tmp_path / "proxy.sock"), pattern, action, once)
        started.append(proxy)
        return proxy

    yield start, {"DOCKER_HOST": f"unix://{tmp_path / 'proxy.sock'}"}
    for proxy in started:
        proxy.cut()


@pytest.mark.parametrize("body", [["a", "list"], "a string", None])
def test_named_volume_check_with_an_unexpected_volume_answer(docker_client, tmp_path, proxied, body):
    start, env = proxied
    project = shutil.copytree(SEED_LIKE, tmp_path / "project")
    tag = f"ddj{uuid.uuid4().hex[:8]}"
    proxy = start(r"GET /v[\d.]+/volumes/" + tag, lambda m: json_answer(body), once=False)
    proc = doctor("check", "named-volume-visibility", "--project", str(project), "--format", "json",
                  env=dict(env, COMPOSE_PROJECT_NAME=tag))
    assert proxy.fired and "Traceback" not in proc.stderr, proc.stderr
    [finding] = findings_of(json.loads(proc.stdout), "named-volume-visibility")
    assert finding["status"] == "error"
    assert "is not a JSON object" in finding["summary"] and "AttributeError" not in finding["summary"]
    assert proc.returncode == 1


@pytest.fixture
def volume(docker_client, tmp_path):
    vol = docker_client.volumes.create(f"ddj-{uuid.uuid4().hex[:8]}", labels=TEST_LABEL)
    source = tmp_path / "source"
    source.mkdir()
    (source / "a.txt").write_text("a\n")
    yield vol.name, source
    vol.remove(force=True)


@pytest.mark.parametrize("endpoint,body,words", [
    (r"GET /v[\d.]+/volumes/ddj-", ["not", "an", "object"], "inspect volume"),
    (r"GET /v[\d.]+/containers/json\?[^ ]*volume", {"not": "a list"}, "list the containers of volume"),
])
def test_sync_volume_with_an_unexpected_answer_is_a_message(docker_client, volume, proxied, endpoint, body, words):
    name, source = volume
    start, env = proxied
    proxy = start(endpoint, lambda m: json_answer(body))
    proc = doctor("sync-volume", name, str(source), env=env)
    assert proxy.fired, proc.stderr
    assert proc.returncode == 1 and "Traceback" not in proc.stderr, proc.stderr
    assert words in proc.stderr and "not a JSON" in proc.stderr


def test_a_check_whose_daemon_dies_leaves_probes_the_next_run_sweeps(docker_client, tmp_path, proxied):
    start, env = proxied
    holder: list[TroubleProxy] = []

    def die(match):  # the daemon "dies" the moment the run removes its first probe: that probe stays
        holder[0].cut()
        return "drop"

    holder.append(start(r"DELETE /v[\d.]+/containers/", die))
    project = shutil.copytree(SEED, tmp_path / "seed")
    proc = subprocess.Popen([sys.executable, "-m", "dind_doctor", "check", "nesting-level", "pwd-path-forms",
                             "--project", str(project), "--format", "json"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=dict(os.environ, **env))
    try:
        _out, err = proc.communicate(timeout=120)
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGKILL)
        raise
    assert holder[0].fired and "Traceback" not in err, err
    filters = {"label": [f"{OWNER_PID}={proc.pid}", f"{OWNER_HOST}={current_owner().host}"]}
    left = [c.name for c in docker_client.containers.list(all=True, filters=filters, ignore_removed=True)]
    assert left, "the run reached a dead daemon: its probe must still be there for this test to mean anything"
    sweep = doctor("check", "nesting-level", "--project", str(tmp_path), "--format", "json")
    assert not docker_client.containers.list(all=True, filters=filters, ignore_removed=True)
    assert said_it_swept(sweep.stderr, proc.pid), sweep.stderr
    if f"pid {proc.pid}" in sweep.stderr:
        assert all(name in sweep.stderr for name in left)
