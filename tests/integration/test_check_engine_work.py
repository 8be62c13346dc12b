"""What one `check` run asks of the engine on the seed project, counted (not timed): the containers it
creates (from the daemon's events, filtered on THIS run's owner labels: other runs share the engine) and
the `docker` children it starts (through a logging wrapper in front of the real CLI on PATH).

The seed needs nesting-level's privileged probe; pwd-path-forms' sentinel needs the shared probe (the
project mounted) unless the daemon runs in this process's mount namespace, which settles it. env-file's
plain .env and the compose file with nothing to resolve settle the rest without a `docker compose` child
or a container of their own."""
from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import time

import pytest

from dind_doctor.labels import CREATED_BY, OWNER_HOST, OWNER_PID, current_owner
from support import REPO, findings_of, unsettled_socket_env

SEED = REPO / "tests" / "fixtures" / "seed_project"


def _run_check(docker_client, tmp_path, extra_env: dict | None = None) -> tuple[list[dict], list[str], dict, str]:
    """One `check --format json` of a seed copy: (its containers' create-event labels, its docker CLI
    calls, the report, stderr)."""
    project = shutil.copytree(SEED, tmp_path / "seed")
    real_docker = shutil.which("docker")
    assert real_docker, "the docker CLI is needed"
    log = tmp_path / "docker-calls.log"
    wrapper_dir = tmp_path / "bin"
    wrapper_dir.mkdir()
    wrapper = wrapper_dir / "docker"
    wrapper.write_text(f'#!/bin/sh\nprintf "%s\\n" "$*" >> "{log}"\nexec "{real_docker}" "$@"\n')
    wrapper.chmod(wrapper.stat().st_mode | stat.S_IXUSR)
    env = dict(os.environ, PATH=f"{wrapper_dir}{os.pathsep}{os.environ['PATH']}", **(extra_env or {}))

    since = int(time.time()) - 1
    proc = subprocess.Popen([sys.executable, "-m", "dind_doctor", "check", "--project", str(project),
                             "--format", "json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    out, err = proc.communicate(timeout=180)
    until = int(time.time()) + 1
    filters = {"type": "container", "event": "create",
               "label": [f"{OWNER_PID}={proc.pid}", f"{OWNER_HOST}={current_owner().host}"]}
    created = [e["Actor"]["Attributes"] for e in docker_client.events(since=since, until=until, filters=filters,
                                                                       decode=True)]
    calls = log.read_text().splitlines() if log.exists() else []
    return created, calls, json.loads(out), err


def _settled_answers(report: dict) -> None:
    """env-file's plain .env and the compose file with nothing to resolve: settled, and said so."""
    [env_live] = [f for f in findings_of(report, "env-file") if "arrive" in f["summary"]]
    assert env_live["evidence"]["probe"].startswith("not run: every line is a plain KEY=value")
    [volume] = findings_of(report, "named-volume-visibility")
    assert volume["evidence"]["model from"].startswith("raw YAML: nothing in it for compose to resolve")
    [privileged] = [f for f in findings_of(report, "nesting-level") if "privileged" in f["summary"]]
    assert privileged["status"] in ("ok", "warn")


def test_one_check_run_creates_one_container_per_open_question(docker_client, tmp_path):
    from dind_doctor.daemon_mounts import shares_mounts

    created, calls, report, err = _run_check(docker_client, tmp_path)
    settled = shares_mounts("/var/run/docker.sock") if not os.environ.get("DOCKER_HOST") else None
    [pwd_live] = [f for f in findings_of(report, "pwd-path-forms") if f["status"] == "ok"]
    if settled:  # a dockerd in this mount namespace: the folder is where it is seen, no probe needed
        assert sorted(a[CREATED_BY] for a in created) == ["probe"], (created, err)
        assert pwd_live["evidence"]["probe container"].startswith("not needed: the daemon (dockerd, pid")
    else:
        assert sorted(a[CREATED_BY] for a in created) == ["probe", "shared-probe"], (created, err)
        assert pwd_live["evidence"]["probe container"].startswith("the run's shared probe")
    assert [c for c in calls if "compose" in c] == [], calls
    _settled_answers(report)


def test_a_socket_reached_by_another_path_gets_the_shared_probe(docker_client, tmp_path):
    """Through a symlink, the kernel's table does not name the socket: nothing is settled about the
    daemon's mounts, and pwd-path-forms reads its sentinel in the shared probe (one container, not two)."""
    env = unsettled_socket_env(tmp_path)
    if env is None:
        pytest.skip("the engine is not on the default local socket here")
    created, calls, report, err = _run_check(docker_client, tmp_path, env)
    assert sorted(a[CREATED_BY] for a in created) == ["probe", "shared-probe"], (created, err)
    [pwd_live] = [f for f in findings_of(report, "pwd-path-forms") if f["status"] == "ok"]
    assert pwd_live["evidence"]["probe container"].startswith("the run's shared probe")
    assert [c for c in calls if "compose" in c] == [], calls
    _settled_answers(report)
