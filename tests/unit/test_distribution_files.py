"""The distribution files: action.yml's run step executed here with bash (the way the runner executes a
composite step), the pre-commit hook manifest, the version from one place."""
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import jsonschema
import yaml

from dind_doctor import __version__

REPO = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((REPO / "tests" / "data" / "sarif-schema-2.1.0.json").read_text())


def action_step(name):
    action = yaml.safe_load((REPO / "action.yml").read_text())
    assert action["runs"]["using"] == "composite"
    return next(s for s in action["runs"]["steps"] if s.get("name") == name), action


def run_action(tmp_path, project, **inputs):
    step, action = action_step("Run dind-doctor")
    defaults = {k: v.get("default", "") for k, v in action["inputs"].items()}
    values = {**defaults, **inputs}
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
               GITHUB_OUTPUT=str(tmp_path / "output"), DOCKER_HOST=f"unix://{tmp_path}/hidden.sock")
    for var, expr in step["env"].items():  # ${{ inputs.x }} -> the input's value
        env[var] = values[re.fullmatch(r"\$\{\{ inputs\.([\w-]+) \}\}", expr).group(1)]
    done = subprocess.run(["bash", "-e", "-c", step["run"]], cwd=project, env=env, capture_output=True, text=True,
                          timeout=120)
    outputs = dict(line.split("=", 1) for line in (tmp_path / "output").read_text().splitlines())
    return done, outputs


def test_action_annotates_writes_valid_sarif_and_reports_the_exit_code(tmp_path):
    project = tmp_path / "repo"
    project.mkdir()
    (project / ".gitattributes").write_text("*.sh text eol=lf\n")
    (project / "entrypoint.sh").write_bytes(b"#!/bin/sh\r\necho hi\r\n")
    done, outputs = run_action(tmp_path, project)
    assert done.returncode == 0, done.stderr  # the step itself succeeds; a later step fails the job
    assert outputs["exit-code"] == "1"
    assert done.stdout.startswith("::error file=entrypoint.sh,line=1,col=10,title=dind-doctor line-endings::")
    sarif = json.loads((project / "dind-doctor.sarif").read_text())
    jsonschema.Draft4Validator(SCHEMA).validate(sarif)
    assert [r["ruleId"] for r in sarif["runs"][0]["results"]] == ["line-endings"]

    done, outputs = run_action(tmp_path, project, **{"fail-on": "error", "checks": "line-endings backtick-continuation"})
    assert outputs["exit-code"] == "0"
    assert {r["id"] for r in json.loads((project / "dind-doctor.sarif").read_text())["runs"][0]["tool"]["driver"]["rules"]} \
        >= {"line-endings", "backtick-continuation"}


def test_action_fails_the_job_with_the_exit_code_and_uploads_with_codeql():
    step, action = action_step("Fail at the --fail-on status")
    assert step["if"] == "${{ steps.run.outputs.exit-code != '0' }}" and step["run"] == 'exit "$CODE"'
    upload, _ = action_step("Upload SARIF to code scanning")
    assert upload["uses"].startswith("github/codeql-action/upload-sarif@")
    assert upload["with"]["sarif_file"] == "${{ inputs.sarif-file }}"


def test_pre_commit_manifest():
    (hook,) = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    assert hook["id"] == "dind-doctor" and hook["language"] == "python" and hook["pass_filenames"] is False
    assert hook["entry"].split()[:3] == ["dind-doctor", "check", "--static"]
    files = re.compile(hook["files"])
    for name in ("run.ps1", "a/entrypoint.sh", "Dockerfile", "docker/Dockerfile.dev", "compose.yaml", ".env",
                 "app/.env.local", "dags/etl.py", "go.cmd", ".gitattributes", ".dind-doctor.toml"):
        assert files.search(name), name
    assert not files.search("logo.png")


def test_version_comes_from_one_place():
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # Python 3.10: tomli is the same parser
        import tomli as tomllib

    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text())
    assert "version" not in pyproject["project"] and pyproject["project"]["dynamic"] == ["version"]
    assert pyproject["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "dind_doctor.__version__"}
    assert re.fullmatch(r"\d+\.\d+\.\d+", __version__)
