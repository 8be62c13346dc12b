import json
import os
import subprocess
import sys

from click.testing import CliRunner

from dind_doctor import __version__
from dind_doctor.cli import cli


def run(*args):
    return CliRunner().invoke(cli, list(args))


def test_version_and_help_list_the_exit_codes():
    assert __version__ in run("--version").output
    out = run("--help").output
    assert "Exit codes" in out and "2  usage error" in out


def test_unknown_check_id_is_a_usage_error():
    result = run("check", "no-such-check")
    assert result.exit_code == 2 and "unknown check id: no-such-check" in result.output


def test_bad_option_and_missing_project_are_usage_errors(tmp_path):
    assert run("check", "--format", "xml").exit_code == 2
    assert run("check", "--project", str(tmp_path / "missing")).exit_code == 2
    assert run("explain", "nope").exit_code == 2


def test_explain_and_list_checks():
    out = run("explain", "port-2375").output
    assert out.startswith("port-2375: ") and "CVE-2025-9074" in out
    assert "docker-socket" in run("list-checks").output


def doctor(*args, **env):
    return subprocess.run([sys.executable, "-m", "dind_doctor", *args], capture_output=True,
                          env=dict(os.environ, **env), timeout=60)


def test_unreachable_daemon_on_a_cp1252_console_is_a_finding_not_a_traceback(tmp_path):
    result = doctor("check", "docker-socket", "--project", str(tmp_path), "--shell", "powershell",
                    # A short fixed path: the table elides the middle of a long summary, and a pytest
                    # tmp path's length varies with the run number.
                    DOCKER_HOST="unix:///nonexistent-dind-doctor-test/nothing.sock", PYTHONIOENCODING="cp1252")
    out = result.stdout.decode("cp1252")
    assert result.returncode == 1, out
    assert b"Traceback" not in result.stderr
    assert "x fail" in out and "does not exist" in " ".join(out.split()) and "Docker Desktop.exe" in out


def test_json_on_a_project_path_with_spaces_and_accents(tmp_path):
    project = tmp_path / "mon projet é"
    project.mkdir()
    result = doctor("check", "docker-socket", "--project", str(project), "--format", "json",
                    DOCKER_HOST=f"unix://{project}/nothing.sock")
    report = json.loads(result.stdout)
    assert result.returncode == 1 and report["counts"]["fail"] == 1
