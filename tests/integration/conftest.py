"""Integration tests drive a real Docker engine.

Outside CI a missing engine skips them, loudly; in CI (CI=true) it fails them. Everything a test creates
carries the label io.dind-doctor.created-by=tests and is removed at the end of the session.
"""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from support import IN_CI, REPO, TEST_LABEL, TEST_SESSION, image_env


# The offline stand-ins that tests/images/build-offline-images.sh builds on a machine without a registry.
OFFLINE = {
    "DIND_DOCTOR_PROBE_IMAGE": "dind-doctor/busybox:offline",
    "DIND_DOCTOR_PYTHON_IMAGE": "dind-doctor/python:3.11-bookworm",
    "DIND_DOCTOR_DIND_IMAGE": "dind-doctor/docker:dind-offline",
    "DIND_DOCTOR_DOCKER_CLI_IMAGE": "dind-doctor/docker:dind-offline",
    "DIND_DOCTOR_POSTGRES_IMAGE": "dind-doctor/postgres:15-bookworm",
    "DIND_DOCTOR_S3_IMAGE": "dind-doctor/s3:moto",
    "DIND_DOCTOR_AIRFLOW_IMAGE": "dind-doctor/airflow:2.10.3-offline",
}

_skip_reason: list[str] = []


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "integration" in str(item.fspath):
            item.add_marker(pytest.mark.integration)


def pytest_terminal_summary(terminalreporter):
    if _skip_reason:
        terminalreporter.write_sep("!", "INTEGRATION TESTS SKIPPED: NO DOCKER ENGINE", red=True, bold=True)
        terminalreporter.write_line(_skip_reason[0])


@pytest.fixture(scope="session")
def docker_client():
    import docker

    try:
        client = docker.from_env(timeout=30)
        client.ping()
    except Exception as exc:
        message = f"no Docker engine reachable ({exc}); run `bash .ci/run` to install and start one"
        if IN_CI:
            pytest.fail(f"CI=true and {message}", pytrace=False)
        _skip_reason.append(message)
        pytest.skip(message)
    _use_offline_images(client)
    yield client
    _cleanup(client)
    client.close()


def _use_offline_images(client) -> None:
    """Point the image overrides at the offline stand-ins when they exist and nothing else is set."""
    for variable, ref in OFFLINE.items():
        if variable in os.environ:
            continue
        try:
            client.images.get(ref)
            os.environ[variable] = ref
        except Exception:
            pass


def _cleanup(client) -> None:
    filters = {"label": [f"io.dind-doctor.test-session={TEST_SESSION}"]}
    for c in client.containers.list(all=True, filters=filters):
        c.remove(force=True, v=True)
    for v in client.volumes.list(filters=filters):
        v.remove(force=True)
    for n in client.networks.list(filters=filters):
        n.remove()


@pytest.fixture(scope="session")
def doctor_image(docker_client) -> str:
    """An image holding a docker CLI, dockerd, Python and THIS checkout of dind-doctor (as a wheel)."""
    base = image_env("DIND_DOCTOR_DIND_IMAGE")
    tag = "dind-doctor-test/doctor:latest"
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q",
                        "-w", tmp, str(REPO)], check=True)
        wheel = next(Path(tmp).glob("*.whl")).name
        dockerfile = f"""FROM {base}
RUN python3 -m pip install -q docker click psutil tabulate python-dotenv PyYAML
COPY {wheel} /tmp/
RUN python3 -m pip install -q --no-deps --force-reinstall /tmp/{wheel}
ENTRYPOINT []
"""
        (Path(tmp) / "Dockerfile").write_text(dockerfile)
        docker_client.images.build(path=tmp, tag=tag, labels=TEST_LABEL, rm=True, timeout=600)
    return tag




@pytest.fixture
def hanging(tmp_path):
    """The seed-like project whose run script mounts a socket that accepts and never answers: a `levels`
    walk stays in its outer stand-in for sure (to kill it, or interrupt the run, mid-walk)."""
    import shutil
    import socket

    nesting = REPO / "tests" / "fixtures" / "nesting"
    project = tmp_path / "hanging"
    shutil.copytree(nesting / "seed_like", project)
    (project / "run_host.ps1").unlink()
    shutil.copy(nesting / "hanging_daemon" / "run_host.sh", project / "run_host.sh")
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(project / "hosted" / "hang.sock"))
    sock.listen(8)  # accepts connections into the backlog and never answers
    yield project
    sock.close()
