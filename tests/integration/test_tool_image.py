"""The tool's own Dockerfile: built (from the offline Python stand-in here; python:3.12-slim by default),
it runs the static project checks on a mounted project: exit 0 clean, 1 broken."""
import io
import tarfile
import uuid
from pathlib import Path

from support import TEST_LABEL, image_env

REPO = Path(__file__).resolve().parents[2]


def context_tar() -> io.BytesIO:
    """The build context as docker build sends it (what .dockerignore leaves), made by hand so that the
    test does not depend on the docker CLI."""
    ignored = [line.strip() for line in (REPO / ".dockerignore").read_text().splitlines()
               if line.strip() and not line.startswith("#")]
    from dind_doctor.globs import glob_matcher

    skip = glob_matcher([p if "/" in p or p.startswith("**") else f"{p}/" for p in ignored] + ignored)
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        for path in sorted(REPO.rglob("*")):
            rel = path.relative_to(REPO).as_posix()
            if path.is_file() and not path.is_symlink() and not skip(rel):
                tar.add(path, arcname=rel)
    buf.seek(0)
    return buf


def test_the_tool_image_runs_the_static_checks(docker_client, tmp_path):
    tag = f"dind-doctor-test/tool:{uuid.uuid4().hex[:8]}"
    docker_client.images.build(fileobj=context_tar(), custom_context=True, tag=tag, rm=True, forcerm=True,
                               labels=TEST_LABEL, buildargs={"PYTHON_IMAGE": image_env("DIND_DOCTOR_PYTHON_IMAGE")},
                               timeout=900)
    try:
        project = tmp_path / "project"
        project.mkdir()
        (project / ".gitattributes").write_text("*.sh text eol=lf\n")
        (project / "entrypoint.sh").write_bytes(b"#!/bin/sh\nexec \"$@\"\n")
        volumes = {str(project): {"bind": "/project", "mode": "rw"}}

        def run(*command):
            container = docker_client.containers.run(tag, list(command), volumes=volumes, detach=True,
                                                     labels=TEST_LABEL)
            try:
                code = container.wait(timeout=120)["StatusCode"]
                return code, container.logs().decode()
            finally:
                container.remove(force=True)

        code, out = run("--version")
        assert code == 0 and out.startswith("dind-doctor, version ")
        code, out = run("check", "--static", "--project", "/project", "--format", "github")
        assert code == 0, out
        (project / "entrypoint.sh").write_bytes(b"#!/bin/sh\r\nexec \"$@\"\r\n")
        code, out = run("check", "--static", "--project", "/project", "--format", "github")
        assert code == 1 and "::error file=entrypoint.sh,line=1" in out  # WORKDIR /project: relative paths
    finally:
        docker_client.images.remove(tag, force=True)
