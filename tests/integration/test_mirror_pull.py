"""The path of a user who HAS a registry: run-reference with NO DIND_DOCTOR_* variable pulls every public
image it needs, through the engine, before the stage that needs it.

This machine reaches no registry, so tests/images/serve-mirror.sh (run by .ci/run) serves STAND-INS under
the public names from a local registry the engine uses as its Docker Hub mirror; each stand-in honours the
interface of the image it stands in for and carries the label io.dind-doctor.stands-in-for. The test removes
only those tags locally, only when the label says they are such stand-ins, then runs the real command in a
process of its own: the pulls, the minio start recipe and the docker:dind entry point run for real.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile

import pytest

from dind_doctor import images
from support import IN_CI, leftovers

MIRROR = "http://127.0.0.1:5000/"
STAND_IN_LABEL = "io.dind-doctor.stands-in-for"
PUBLIC = list(dict.fromkeys(images.DEFAULTS.values()))  # every image dind-doctor names by default


@pytest.fixture(scope="module")
def public_names_lock():
    """These tests untag and pull the public names, which every copy of this module on the machine does
    too (several checkouts may run their suites on one engine): one at a time, or one run's removal pulls
    the rug from under another's build."""
    import fcntl

    with open(os.path.join(tempfile.gettempdir(), "dind-doctor-public-names.lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


@pytest.fixture(scope="module")
def mirror(docker_client, public_names_lock):
    mirrors = docker_client.info().get("RegistryConfig", {}).get("Mirrors") or []
    if MIRROR not in mirrors:
        message = (f"the engine has no registry mirror {MIRROR} (mirrors: {mirrors}): run "
                   "`bash tests/images/serve-mirror.sh` (.ci/run does)")
        if IN_CI:
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    return docker_client


def remove_public_stand_ins(client) -> list[str]:
    """Untags every public name that is one of serve-mirror.sh's stand-ins; returns those removed. A public
    name holding anything else (a real image) is left alone."""
    from docker.errors import ImageNotFound

    removed = []
    for ref in PUBLIC:
        try:
            image = client.images.get(ref)
        except ImageNotFound:
            removed.append(ref)  # absent already: it will be pulled all the same
            continue
        if (image.labels or {}).get(STAND_IN_LABEL) != ref:
            continue
        client.images.remove(ref)
        removed.append(ref)
    return removed


def run_without_overrides(mode: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DIND_DOCTOR_")}
    return subprocess.run([sys.executable, "-m", "dind_doctor", "run-reference", "--mode", mode],
                          capture_output=True, text=True, env=env, timeout=1500)


@pytest.mark.parametrize("mode", ["dood", "dind"])
def test_run_reference_pulls_its_public_images_through_the_registry(mirror, mode):
    removed = remove_public_stand_ins(mirror)
    assert "minio/minio:latest" in removed and "postgres:16-alpine" in removed, (
        f"the public names are not serve-mirror.sh's stand-ins here: nothing to prove ({removed})")
    result = run_without_overrides(mode)
    out = result.stdout + result.stderr
    assert result.returncode == 0, out
    assert "Traceback" not in out
    run_id = re.match(r"run-reference (\w+):", out).group(1)
    needed = {"busybox:latest", "python:3.12-slim", "docker:cli", "docker:dind", "postgres:16-alpine",
              "minio/minio:latest"}
    pulled = set(re.findall(r"^    pulled (\S+) in ", out, re.MULTILINE))
    # Another process on this engine may pull busybox or python in the meantime (then a stage finds it
    # present); the servers' public images are used by this test alone.
    assert {"postgres:16-alpine", "minio/minio:latest"} <= pulled <= needed, out
    notes = " ".join(re.findall(r"(?:pulled; now )?present: (.*)$", out, re.MULTILINE))
    assert all(ref in notes for ref in needed), out  # each stage's images present before the stage ran
    # The pull of an image comes before the stage that uses it.
    assert out.index("pulled minio/minio:latest") < out.index("==> start PostgreSQL and S3"), out
    assert "S3 minio/minio:latest (minio recipe)" in out  # the minio recipe ran, against the stand-in
    assert "PostgreSQL postgres:16-alpine" in out
    assert "run-reference: passed" in out
    for ref in ("postgres:16-alpine", "minio/minio:latest"):  # what was pulled is the mirror's stand-in
        assert mirror.images.get(ref).labels.get(STAND_IN_LABEL) == ref
    if mode == "dind":
        assert "python:3.12-slim present" in out  # handed over to the inner daemon from the host
    assert leftovers(mirror, run_id) == []



def test_ctrl_c_during_a_pull_stops_it_and_leaves_nothing(mirror, monkeypatch):
    """Ctrl-C while run-reference pulls: the stream is closed (the daemon abandons the pull), the run
    cleans up what it created, exit 130."""
    from dind_doctor.reference import run_reference

    for variable in [v for v in os.environ if v.startswith("DIND_DOCTOR_")]:
        monkeypatch.delenv(variable)
    remove_public_stand_ins(mirror)
    lines: list[str] = []

    def interrupting_echo(line: str) -> None:
        lines.append(line)
        if line.startswith("    pulling "):
            raise KeyboardInterrupt  # what Ctrl-C raises, in the middle of the pull's progress

    assert run_reference(echo=interrupting_echo) == 130, "\n".join(lines)
    out = "\n".join(lines)
    assert "run-reference interrupted: cleaning up" in out and "interrupted" in out
    assert "Traceback" not in out
    run_id = re.match(r"run-reference (\w+):", lines[0]).group(1)
    assert leftovers(mirror, run_id) == []
