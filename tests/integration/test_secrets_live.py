"""No command prints a planted secret when the engine is there: the live probes run (env-file's compose
probe, whose parse error quotes the offending line), and the commands that drive the engine fail or
succeed for real."""
from __future__ import annotations

import json
import os

import pytest
from secret_plants import PLANTS, leaks, make_planted_project, planted_env
from support import doctor, findings_of

from dind_doctor.choices import FORMATS


@pytest.fixture(scope="module")
def planted(tmp_path_factory):
    return make_planted_project(tmp_path_factory.mktemp("plants") / "project")


@pytest.fixture(scope="module")
def env():
    return dict(planted_env(docker_host_port=None), DOCKER_HOST="")  # the real engine, a secret-named variable


def test_live_env_file_probe_shows_compose_error_by_shape(planted, env):
    out = doctor("check", "env-file", "--project", str(planted), "--format", "json", env=env)
    assert leaks(out.stdout + out.stderr) == []
    report = json.loads(out.stdout)
    live = [f for f in findings_of(report, "env-file") if "live env_file probe" in f["summary"]]
    assert live, report  # compose refused the .env (a PEM body line) and said why...
    assert "variable name" in live[0]["summary"] and "***(" in live[0]["summary"]  # ...quoting it by its shape


@pytest.mark.parametrize("output_format", FORMATS)
def test_check_with_the_engine_prints_no_planted_secret(planted, env, output_format):
    out = doctor("check", "--project", str(planted), "--format", output_format, "--verbose", env=env)
    assert out.stdout and leaks(out.stdout + out.stderr) == []


def test_engine_commands_print_no_planted_secret(planted, env):
    outputs = [
        doctor("levels", "--project", str(planted), "--env", f"EXTRA={PLANTS['ps1']}", env=env, timeout=300),
        doctor("sync-volume", "no/such:volume", str(planted), env=env),
        doctor("translate", "--json", str(planted), env=env),
    ]
    for out in outputs:
        assert (out.stdout + out.stderr).strip() and leaks(out.stdout + out.stderr) == [], out


def test_compose_config_error_of_levels_quotes_by_shape(planted):
    from dind_doctor.compose_cli import ComposeConfigFailed, compose_config
    from dind_doctor.project.compose_loader import ComposeLoader
    from dind_doctor.project.files import ProjectFiles

    project = ComposeLoader(ProjectFiles(planted), {}).project(planted / "compose.yaml")
    with pytest.raises(ComposeConfigFailed) as caught:  # compose reads the project's .env: its PEM body line
        compose_config(project, {"PATH": os.environ["PATH"]}, timeout=60, root=planted)
    message = str(caught.value)
    assert "variable name" in message and "***(" in message and leaks(message) == []
