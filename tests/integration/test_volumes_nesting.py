"""named-volume-visibility where the daemon is not simply local: DinD (volumes live on the inner daemon),
and a daemon in trouble mid-check (a helper removed under our feet, a connection dropped)."""
from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import threading
import time
import uuid

import docker
import pytest

from support import DIND_RUN_KWARGS, REPO, TEST_LABEL, doctor, exec_json, findings_of, run_container, tar_of

FIXTURE = REPO / "tests" / "fixtures" / "nesting" / "seed_like"
CHECK = "named-volume-visibility"
SOCK = "/var/run/docker.sock"


def test_dind_volumes_live_on_the_inner_daemon(docker_client, doctor_image):
    storage = docker_client.volumes.create(labels=TEST_LABEL)
    inner = run_container(docker_client, doctor_image, ["dockerd", f"--host=unix://{SOCK}"],
                          volumes={storage.name: {"bind": "/var/lib/docker", "mode": "rw"},
                                   "/sys/fs/cgroup": {"bind": "/sys/fs/cgroup", "mode": "rw"}},
                          **DIND_RUN_KWARGS)
    deadline = time.monotonic() + 60
    while inner.exec_run(["docker", "version"]).exit_code != 0:
        assert time.monotonic() < deadline, inner.logs()[-2000:]
        time.sleep(1)
    # The inner daemon starts empty: hand it the probe image, and the project.
    probe = os.environ["DIND_DOCTOR_PROBE_IMAGE"]
    image = b"".join(docker_client.images.get(probe).save(named=True))
    assert inner.exec_run(["mkdir", "-p", "/work"]).exit_code == 0
    inner.put_archive("/work", tar_of({"probe.tar": image}))
    assert inner.exec_run(["docker", "load", "-i", "/work/probe.tar"]).exit_code == 0
    files = {f"seed_like/{p.relative_to(FIXTURE)}": p.read_bytes() for p in FIXTURE.rglob("*") if p.is_file()}
    inner.put_archive("/work", tar_of(files))
    tag = f"ddd{uuid.uuid4().hex[:6]}"
    env = {"COMPOSE_PROJECT_NAME": tag, "MODULE_BASE": probe, "PROBE_IMAGE": probe, "DIND_DOCTOR_PROBE_IMAGE": probe}
    built = inner.exec_run(["sh", "-c", "docker compose build -q && docker compose run --rm --no-deps "
                            "--entrypoint true extractor_sql"], workdir="/work/seed_like/hosted", environment=env)
    assert built.exit_code == 0, built.output[-2000:]

    code, report = exec_json(inner, ["dind-doctor", "check", CHECK, "--project", "/work/seed_like", "--format",
                                     "json"], environment=env)
    assert report["level"] == "dind"
    [finding] = findings_of(report, CHECK)
    real = f"{tag}_extractor_sql_dag_shared_app"
    assert finding["status"] == "ok" and finding["evidence"]["real name"] == real
    assert "inner daemon" in finding["evidence"]["daemon"] and "host cannot see" in finding["evidence"]["daemon"]
    assert finding["evidence"]["verdict"] == "fresh"
    assert not docker_client.volumes.list(filters={"name": real})  # the host's daemon has no such volume


class TroubleProxy:
    """A Docker API proxy on a unix socket that misbehaves once, when a request path matches."""

    def __init__(self, path: str, pattern: str, action) -> None:
        self.path, self.pattern, self.action, self.fired = path, re.compile(pattern.encode()), action, False
        self.server = socket.socket(socket.AF_UNIX)
        self.server.bind(path)
        self.server.listen(16)
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.server.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client) -> None:
        upstream = socket.socket(socket.AF_UNIX)
        upstream.connect(SOCK)
        threading.Thread(target=self._pump, args=(upstream, client), daemon=True).start()
        try:
            while data := client.recv(65536):
                match = self.pattern.search(data)
                if match and not self.fired:
                    self.fired = True
                    if self.action(match) == "drop":
                        break  # the daemon "restarts": the connection dies without an answer
                upstream.sendall(data)
        except OSError:
            pass
        for s in (client, upstream):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            s.close()

    @staticmethod
    def _pump(src, dst) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass

    def close(self) -> None:
        self.server.close()


@pytest.fixture
def stale_project(docker_client, tmp_path):
    project = tmp_path / "p"
    shutil.copytree(FIXTURE, project)
    tag = f"ddx{uuid.uuid4().hex[:8]}"
    env = dict(os.environ, COMPOSE_PROJECT_NAME=tag, MODULE_IMAGE=f"dind-doctor-test/{tag}",
               MODULE_CONTAINER=f"{tag}-m", FIRST_CONTAINER=f"{tag}-f",
               MODULE_BASE=os.environ["DIND_DOCTOR_PROBE_IMAGE"], PROBE_IMAGE=os.environ["DIND_DOCTOR_PROBE_IMAGE"])
    run = subprocess.run(["docker", "compose", "run", "--rm", "--no-deps", "--build", "--entrypoint", "true",
                          "extractor_sql"], cwd=project / "hosted", env=env, capture_output=True, timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    yield project, env
    subprocess.run(["docker", "compose", "down", "-v"], cwd=project / "hosted", env=env, capture_output=True)
    try:
        docker_client.images.remove(env["MODULE_IMAGE"], force=True)
    except Exception:
        pass


def _helpers(client):
    return [c for component in ("volume-helper", "image-helper") for c in client.containers.list(
        all=True, filters={"label": f"io.dind-doctor.created-by={component}"})]


@pytest.mark.parametrize("trouble", ["helper removed", "connection dropped"])
def test_daemon_trouble_mid_check_is_an_error_and_leaves_no_helper(docker_client, stale_project, tmp_path, trouble):
    project, env = stale_project
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
    assert not _helpers(docker_client)
