"""No command prints a planted secret, in any output mode (no engine: DOCKER_HOST, planted with userinfo,
points at a closed port, so every command runs its offline path and its error paths)."""
from __future__ import annotations

import pytest
from click.testing import CliRunner
from secret_plants import PLANTS, leaks, make_planted_project, planted_env

from dind_doctor.cli import cli
from dind_doctor.choices import FORMATS


@pytest.fixture(scope="module")
def planted(tmp_path_factory):
    return make_planted_project(tmp_path_factory.mktemp("plants") / "project")


def invoke(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args), env=planted_env())
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.output


@pytest.mark.parametrize("output_format", FORMATS)
@pytest.mark.parametrize("verbose", [False, True])
def test_check_prints_no_planted_secret(planted, output_format, verbose):
    out = invoke("check", "--project", str(planted), "--format", output_format, *(["--verbose"] if verbose else []))
    assert "env-file" in out or "env_file" in out  # the checks did run and report on the planted files
    assert leaks(out) == []


def test_the_planted_lines_are_quoted_by_their_shape(planted):
    out = invoke("check", "--project", str(planted), "--verbose", "line-endings", "backtick-continuation",
                 "env-file")
    assert "APP_SECRET=***(25)␍" in out  # line-endings: the .env's first CRLF line
    assert f"DB_PASSWORD=***({len(PLANTS['ps1'])}) `·" in out  # backtick-continuation: the line as written
    assert "cannot parse" in out or "not a valid variable name" in out
    assert "FROM busybox␍" in out  # a Dockerfile line that holds no value is shown as it is
    assert leaks(out) == []


def test_other_commands_print_no_planted_secret(planted, tmp_path):
    env_file = tmp_path / "user.env"
    env_file.write_text(f"AWS_SECRET_ACCESS_KEY={PLANTS['dotenv']}\n")  # no LOGGER_SQL_URI: a usage error
    user_env = tmp_path / "credentials.env"  # a usable one: the run goes through its preflight, then fails
    user_env.write_text(f"LOGGER_SQL_URI=postgresql://u:{PLANTS['dotenv-url']}@db/x\n"
                        f"AWS_SECRET_ACCESS_KEY={PLANTS['dotenv']}\n")
    outputs = [
        invoke("translate", str(planted)),
        invoke("translate", "--json", str(planted)),
        invoke("sync-volume", "some-volume", str(planted)),
        invoke("sync-volume", "some-volume", str(tmp_path / "missing")),
        invoke("levels", "--project", str(planted)),
        *(invoke("map", "--project", str(planted), "--format", fmt) for fmt in ("text", "mermaid", "html")),
        invoke("levels", "--project", str(planted), "--format", "json", "--env", f"X={PLANTS['ps1']}"),
        invoke("run-reference", "--env-file", str(env_file)),
        invoke("run-reference", "--env-file", str(user_env), "--force"),
    ]
    for out in outputs:
        assert out.strip() and leaks(out) == [], out
    assert "tcp://***(" in "".join(outputs[:5])  # the endpoint is named, its userinfo masked
    assert "preflight checks" in outputs[-1] and "no Docker engine" in outputs[-1]


def test_a_command_error_passes_the_boundary(tmp_path):
    """A config file's problem, a usage error: what the command did not mask itself, the CLI does."""
    (tmp_path / ".dind-doctor.toml").write_text(f'fail-on = "{PLANTS["stripe"]}"\n')
    out = invoke("check", "--project", str(tmp_path))
    assert "fail-on" in out and leaks(out) == []


def test_every_planted_source_feeds_the_run_masker(planted, monkeypatch):
    """Not only "nothing printed them": each planted value, wherever it would be printed, is masked."""
    from dind_doctor.context import Context
    from dind_doctor.secret_sources import project_masker

    ctx = Context(project=planted, shell="bash", env=planted_env())
    mask = project_masker(ctx)
    unmasked = [name for name, value in PLANTS.items() if mask(f"[{value}]") != f"[***({len(value)})]"]
    assert unmasked == [] and mask.problem is None
