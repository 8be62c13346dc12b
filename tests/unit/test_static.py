"""--static and the automatic static mode, with the engine hidden (DOCKER_HOST at a socket that does not
exist): a pre-commit hook or a CI job without Docker exits 0 on a clean project and 1 on a broken one."""
import json
import os
import subprocess
import sys

import pytest

from dind_doctor.context import STATIC_REASON, Context, EngineUnavailable


def doctor(project, *args):
    env = dict(os.environ, DOCKER_HOST=f"unix://{project}/hidden/docker.sock", CI="")
    return subprocess.run([sys.executable, "-m", "dind_doctor", *args, "--project", str(project)],
                          capture_output=True, text=True, env=env, timeout=120, cwd=project)


def clean(tmp_path):
    (tmp_path / ".gitattributes").write_text("*.sh text eol=lf\nDockerfile text eol=lf\n")
    (tmp_path / "entrypoint.sh").write_text("#!/bin/sh\nexec \"$@\"\n")
    (tmp_path / "Dockerfile").write_text("FROM busybox\nCOPY entrypoint.sh /\n")
    (tmp_path / "run.ps1").write_text("docker run `\n  -v \"${PWD}:/app\" busybox\n")
    return tmp_path


def test_static_on_a_clean_project_exits_0_and_skips_every_engine_check(tmp_path):
    result = doctor(clean(tmp_path), "check", "--static", "--format", "json")
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads(result.stdout)
    assert report["static"] is True and report["counts"]["fail"] == report["counts"]["error"] == 0
    by_check = {}
    for f in report["findings"]:
        by_check.setdefault(f["check"], []).append(f)
    for engine_check in ("docker-socket", "port-2375", "nesting-level", "named-volume-visibility",
                         "bind-mount-translation"):
        (skip,) = by_check[engine_check]
        assert skip["status"] == "skip" and "static mode" in skip["summary"]
    assert by_check["line-endings"][0]["status"] == "ok"
    assert "Traceback" not in result.stderr


def test_static_on_a_broken_project_exits_1(tmp_path):
    project = clean(tmp_path)
    (project / "entrypoint.sh").write_bytes(b"#!/bin/sh\r\nexec \"$@\"\r\n")
    result = doctor(project, "check", "--static", "--format", "github")
    assert result.returncode == 1
    assert result.stdout.startswith("::error file=entrypoint.sh,line=1,")  # relative to the workspace (cwd)


def test_without_static_the_hidden_engine_fails_docker_socket(tmp_path):
    assert doctor(clean(tmp_path), "check").returncode == 1


def test_only_project_checks_and_no_daemon_is_static_automatically(tmp_path):
    result = doctor(clean(tmp_path), "check", "line-endings", "backtick-continuation", "env-file", "--format", "json")
    report = json.loads(result.stdout)
    assert result.returncode == 0 and report["static"] is True


def test_static_never_connects(monkeypatch, tmp_path):
    def refuse(self):
        raise AssertionError("static mode asked the engine")

    monkeypatch.setattr(Context, "_connect", refuse)
    ctx = Context(project=tmp_path, shell="bash", static=True)
    with pytest.raises(EngineUnavailable, match="static mode"):
        ctx.docker()
    assert ctx.engine_error == STATIC_REASON
