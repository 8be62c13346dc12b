"""env-file on the one compose model (issue 8 sections 2 and 5): required/missing/${VAR}, include and extends
reported against their own file and line, a refused alias bomb named as a finding."""
from __future__ import annotations

from pathlib import Path

from test_project_support import run_check, summary
from test_yaml_bounded import bomb

from dind_doctor.checks.env_file import EnvFile
from dind_doctor.model import Status


def write(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    return root


def test_required_false_missing_is_fine(tmp_path: Path):
    write(tmp_path, {"compose.yaml": "services:\n  m:\n    image: x\n    env_file:\n"
                                     "      - path: ./local.env\n        required: false\n"})
    (only,) = run_check(EnvFile, tmp_path)
    assert only.status is Status.OK


def test_required_long_form_missing_fails(tmp_path: Path):
    write(tmp_path, {"compose.yaml": "services:\n  m:\n    image: x\n    env_file:\n      - path: ./local.env\n"
                                     "        required: true\n"})
    assert summary(run_check(EnvFile, tmp_path)) == {("fail", "compose.yaml", 5)}


def test_variable_in_the_path_is_resolved_not_skipped(tmp_path: Path):
    write(tmp_path, {"compose.yaml": "services:\n  m:\n    image: x\n    env_file: ${CFG_DIR}/app.env\n",
                     "conf/app.env": "export A=1\n"})
    # From the environment: resolved, found, its content checked (the export line).
    assert summary(run_check(EnvFile, tmp_path, CFG_DIR=str(tmp_path / "conf"))) == {("warn", "conf/app.env", 1)}
    # From the project's .env, as compose reads it.
    (tmp_path / ".env").write_text(f"CFG_DIR={tmp_path / 'conf'}\n")
    assert ("warn", "conf/app.env", 1) in summary(run_check(EnvFile, tmp_path))
    # Unset: compose uses an empty value, looks for /app.env, and stops; the finding says which variable.
    (tmp_path / ".env").unlink()
    (missing,) = run_check(EnvFile, tmp_path)
    assert missing.status is Status.FAIL and "`CFG_DIR` is not set" in missing.detail


def test_required_variable_error_is_compose_s_message(tmp_path: Path):
    write(tmp_path, {"compose.yaml": "services:\n  m:\n    image: x\n    env_file: ${CFG:?set CFG}/app.env\n"})
    (fail,) = run_check(EnvFile, tmp_path)
    assert fail.status is Status.FAIL and "required variable CFG is missing a value: set CFG" in fail.summary


def test_windows_path_is_checked_on_windows_only(tmp_path: Path):
    write(tmp_path, {"compose.yaml": "services:\n  m:\n    image: x\n    env_file: 'C:\\proj\\app\\.env'\n"})
    (skip,) = run_check(EnvFile, tmp_path)
    assert skip.status is Status.SKIP and "Windows path" in skip.summary


def test_missing_env_file_of_an_included_file_is_reported_against_it(tmp_path: Path):
    write(tmp_path, {"compose.yaml": "include:\n  - db/compose.yaml\nservices:\n  web:\n    image: w\n",
                     "db/compose.yaml": "services:\n  db:\n    image: d\n    env_file: db.env\n",
                     "db/db.env.example": "PASSWORD=\n"})
    (fail,) = run_check(EnvFile, tmp_path)
    assert summary([fail]) == {("fail", "db/compose.yaml", 4)}
    assert "db/db.env does not exist: create it from db/db.env.example" in fail.summary


def test_missing_env_file_of_an_extended_service_is_reported_against_its_file(tmp_path: Path):
    write(tmp_path, {"compose.yaml": "services:\n  web:\n    extends:\n      file: common.yml\n      service: base\n",
                     "common.yml": "services:\n  base:\n    image: b\n    env_file: ./base.env\n"})
    assert summary(run_check(EnvFile, tmp_path)) == {("fail", "common.yml", 4)}


def test_broken_include_and_extends_are_findings(tmp_path: Path):
    write(tmp_path, {"compose.yaml": "include: [gone.yaml]\nservices:\n  a:\n    extends: nope\n"})
    assert summary(run_check(EnvFile, tmp_path)) == {("fail", "compose.yaml", 1), ("fail", "compose.yaml", 4)}


def test_alias_bomb_is_a_finding_naming_the_file(tmp_path: Path):
    write(tmp_path, {"sub/docker-compose.yml": bomb()})
    (fail,) = run_check(EnvFile, tmp_path)
    assert fail.status is Status.FAIL and fail.location.path == "sub/docker-compose.yml"
    assert "alias" in fail.summary and "docker compose" in fail.summary
