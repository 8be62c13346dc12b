"""The project checks against a real engine: the seed's traps, the clean reference, the live probes
(a sentinel through a bind mount, an env_file through docker compose), and --fix then a clean re-check."""
from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

from support import REPO, doctor, ended_runs_leftovers, findings_of

CHECKS = ("backtick-continuation", "pwd-path-forms", "line-endings", "env-file")
SEED = REPO / "tests" / "fixtures" / "seed_project"


def run(project: Path, *extra: str, env: dict | None = None) -> tuple[int, dict]:
    proc = doctor("check", *CHECKS, "--project", str(project), "--format", "json", *extra, env=env)
    assert proc.stdout.startswith("{"), proc.stderr
    return proc.returncode, json.loads(proc.stdout)


def where(findings: list[dict]) -> set[tuple]:
    return {(f["status"], (f.get("location") or {}).get("path"), (f.get("location") or {}).get("line"))
            for f in findings}


def test_seed_traps_and_live_probes(docker_client, tmp_path):
    project = shutil.copytree(SEED, tmp_path / "seed project é")  # a path with a space and an accent
    code, report = run(project)
    assert code == 1
    assert where(findings_of(report, "env-file")) == {
        ("fail", "hosted/docker/Dockerfile", 15),  # COPY app/ . bakes app/.env (no .dockerignore)
        ("fail", "Dockerfile", 24),  # COPY ./hosted bakes it into the outer image too
        ("ok", "hosted/app/.env", None),  # live: every key arrives through docker compose
    }
    assert where(findings_of(report, "pwd-path-forms")) == {
        ("warn", "run_host.ps1", 5),  # unquoted ${pwd}/hosted
        ("ok", "run_host.ps1", 5),  # live: a probe container sees a sentinel written in hosted/
    }
    live = next(f for f in findings_of(report, "pwd-path-forms") if f["status"] == "ok")
    assert live["evidence"]["daemon path"] == str(project / "hosted")
    assert where(findings_of(report, "line-endings")) == {("warn", ".gitattributes", None)}
    assert where(findings_of(report, "backtick-continuation")) == {("ok", None, None)}
    assert "fixture-secret-access-key" not in json.dumps(report)
    assert not list(project.rglob(".dind-doctor-*"))  # the sentinel sub-folder went with the probe
    assert not ended_runs_leftovers(docker_client, "pwd-probe")


def test_hosted_reference_is_clean(docker_client, tmp_path):
    """The shipped module as run-reference runs it: its work copy, with the app/.env run-reference writes
    (the bare module has none, and env-file rightly fails on that: compose would stop)."""
    from dind_doctor.reference import project as proj
    from dind_doctor.reference.servers import Credentials, module_env

    project = shutil.copytree(REPO / "hosted", tmp_path / "hosted")  # run_host mounts ${PWD}/hosted from its parent
    work = proj.WorkCopy(tmp_path, project, tmp_path / "outer", proj.module_compose_file(project))
    proj.write_env(work, module_env(Credentials("fixture-db-pass", "fixture-access", "fixture-secret")))
    code, report = run(project)
    statuses = {f["check"]: f["status"] for f in report["findings"] if f["status"] not in ("ok", "skip")}
    assert statuses == {}, report
    assert code == 0


def test_env_file_live_probe_sees_what_compose_does(docker_client, tmp_path):
    (tmp_path / "app").mkdir()
    (tmp_path / "compose.yaml").write_text("services:\n  m:\n    image: x\n    env_file: app/.env\n")
    (tmp_path / "app/.env.example").write_text("USER_NAME=\nTOKEN=\n")
    # compose interpolates ${PROJECT_SUFFIX} in an env_file value; python-dotenv's raw reading does not.
    (tmp_path / "app/.env").write_text("USER_NAME=alice\nTOKEN=abc${PROJECT_SUFFIX}def\n")
    _, report = run(tmp_path, env={"PROJECT_SUFFIX": "-from-the-shell"})
    (warn,) = [f for f in findings_of(report, "env-file") if f["status"] != "ok"]
    assert warn["status"] == "warn" and "TOKEN" in warn["summary"] and "different" in warn["summary"]
    assert "abc" not in json.dumps(report)


def test_fix_then_recheck_is_clean(docker_client, tmp_path):
    project = shutil.copytree(SEED, tmp_path / "seed")
    (project / "run_host.ps1").write_bytes((project / "run_host.ps1").read_bytes()
                                            .replace(b"--privileged `\n", b"--privileged `  \r\n"))
    (project / "hosted/docker/requirements.txt").write_bytes(b"\xff\xfe" + "pandas\r\n".encode("utf-16-le"))
    env = {"DIND_DOCTOR_BACKUP_DIR": str(tmp_path / "backups")}
    _, before = run(project, env=env)
    assert ("fail", "run_host.ps1", 3) in where(findings_of(before, "backtick-continuation"))
    assert ("fail", "hosted/docker/requirements.txt", 1) in where(findings_of(before, "line-endings"))
    _, fixed = run(project, "--fix", env=env)
    changed = {f["location"]["path"] for f in fixed["findings"] if f["summary"].startswith("fixed:")}
    assert changed == {"run_host.ps1", "hosted/docker/requirements.txt", ".gitattributes", ".dockerignore",
                       "hosted/.dockerignore"}
    _, after = run(project, env=env)
    for check in ("backtick-continuation", "line-endings", "env-file"):
        assert {f["status"] for f in findings_of(after, check)} == {"ok"}, findings_of(after, check)
    assert (project / "hosted/docker/requirements.txt").read_bytes() == b"pandas\n"
    assert len(list((tmp_path / "backups").rglob("*"))) >= 3


def test_whole_check_is_fast_on_a_small_project(docker_client, tmp_path):
    project = shutil.copytree(SEED, tmp_path / "seed")
    started = time.monotonic()
    doctor("check", "backtick-continuation", "line-endings", "--project", str(project), "--format", "json")
    static = time.monotonic() - started
    assert static < 3.0, f"the static project checks took {static:.2f} s"


def test_seed_compose_volume_is_not_a_dag_volume(docker_client, tmp_path):
    # The seed has no DAG: its compose volume is created AND filled from the image by `docker compose up`
    # (named-volume-visibility judges it); airflow-volume-content once failed it as "created EMPTY".
    project = shutil.copytree(SEED, tmp_path / "seed")
    proc = doctor("check", "airflow-volume-content", "--project", str(project), "--format", "json")
    report = json.loads(proc.stdout)
    assert [(f["status"], f["summary"]) for f in report["findings"]] == \
        [("skip", "no code volume: no DAG mounts a named volume")]
    assert proc.returncode == 0
