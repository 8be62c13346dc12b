"""bind-mount-translation at the dood level, for real: dind-doctor runs in a socket-mounted container."""
from __future__ import annotations

import os
import shutil

import pytest

from support import REPO, TEST_LABEL, ended_runs_leftovers, exec_json, findings_of, run_container

FIXTURES = REPO / "tests" / "fixtures" / "nesting"
CHECK = "bind-mount-translation"


def _outer(client, image, hosted, **env):
    """The outer container as the user's run script starts it: socket + project folder, no --privileged."""
    probe = os.environ["DIND_DOCTOR_PROBE_IMAGE"]
    return run_container(client, image, ["sleep", "600"], working_dir="/home/hosted",
                         environment=dict(env, DIND_DOCTOR_PROBE_IMAGE=probe, PROBE_IMAGE=probe),
                         volumes={"/var/run/docker.sock": {"bind": "/var/run/docker.sock", "mode": "rw"},
                                  str(hosted): {"bind": "/home/hosted", "mode": "rw"}})


@pytest.fixture
def copy_of(tmp_path):
    def make(name):
        shutil.copytree(FIXTURES / name, tmp_path / name)
        return tmp_path / name / "hosted"
    return make


def test_relative_bind_under_dood_fails_with_the_translated_path(docker_client, doctor_image, copy_of):
    hosted = copy_of("bind_relative")
    outer = _outer(docker_client, doctor_image, hosted)
    code, report = exec_json(outer, ["dind-doctor", "check", CHECK, "--project", "/home/hosted",
                                     "--format", "json", "--shell", "powershell"])
    assert report["level"] == "dood"
    [finding] = findings_of(report, CHECK)
    assert finding["status"] == "fail" and code == 1
    assert "/home/hosted/app" in finding["summary"]
    assert f"on the daemon's host they are {hosted}/app" in finding["summary"]
    text = finding["fixes"][0]["text"]
    assert finding["fixes"][0]["shell"] == "powershell"
    assert f'-e HOST_PROJECT_DIR="{hosted}"' in text and "${HOST_PROJECT_DIR}/app:/home/app" in text
    assert "named volume" in text

    # `translate` agrees, and says why for a path under no mount.
    out = outer.exec_run(["dind-doctor", "translate", "/home/hosted/app"], demux=True)
    assert out.exit_code == 0 and out.output[0].decode().strip() == f"{hosted}/app"
    out = outer.exec_run(["dind-doctor", "translate", "/opt"], demux=True)
    assert out.exit_code == 1 and b"own filesystem" in out.output[1]


def test_host_project_dir_bind_is_ok_and_a_real_container_sees_the_sentinel(docker_client, doctor_image, copy_of):
    hosted = copy_of("bind_passed_in")
    outer = _outer(docker_client, doctor_image, hosted, HOST_PROJECT_DIR=str(hosted))
    code, report = exec_json(outer, ["dind-doctor", "check", CHECK, "--project", "/home/hosted", "--format", "json"])
    [finding] = findings_of(report, CHECK)
    assert finding["status"] == "ok", finding
    assert "sentinel.txt" in finding["evidence"]["probe sees"]
    labels = [a for k, v in TEST_LABEL.items() for a in ("-l", f"{k}={v}")]
    project = f"ddt{outer.short_id}"
    try:
        run = outer.exec_run(["docker", "compose", "-p", project, "run", "--rm", *labels,
                              "module", "cat", "/home/app/sentinel.txt"], demux=True)
    finally:
        # `compose run --rm` removes the container, not the project's network: without `down` each run left a
        # `<project>_default` network on the shared daemon until its address pools ran out.
        outer.exec_run(["docker", "compose", "-p", project, "down", "--timeout", "5"])
    assert not docker_client.networks.list(names=[f"{project}_default"])
    assert run.exit_code == 0, run.output
    assert b"the project folder reached this level" in run.output[0]
    assert not ended_runs_leftovers(docker_client, "bind-probe", in_container=outer)


def test_wrong_host_project_dir_fails(docker_client, doctor_image, copy_of):
    hosted = copy_of("bind_passed_in")
    outer = _outer(docker_client, doctor_image, hosted, HOST_PROJECT_DIR="/home/hosted")
    code, report = exec_json(outer, ["dind-doctor", "check", CHECK, "--project", "/home/hosted", "--format", "json"])
    [finding] = findings_of(report, CHECK)
    assert finding["status"] == "fail" and "does not exist on the daemon's host" in finding["summary"]
