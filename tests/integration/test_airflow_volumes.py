"""The DAG volumes of the user's chapter on a real engine: the volume a DAG mounts exists or not, is stale
or fresh, holds the .env or not; `dind-doctor sync-volume` with no arguments syncs it, `--check` tells,
`--watch` keeps it in step and stops cleanly on Ctrl-C. Nothing labelled is left behind.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from support import REPO, TEST_LABEL, doctor, findings_of, run_container

CHAPTER = REPO / "tests" / "fixtures" / "airflow_chapter"
CHECK = "airflow-volume-content"
SECRET = "fake-secret-value-for-the-test"


@pytest.fixture
def chapter(docker_client, tmp_path):
    """A copy of the chapter under a path with spaces, its Airflow folder (so the compose project, so the
    volume's real name) named for this test; the right volume created, labelled for the session cleanup."""
    tag = f"ddt{uuid.uuid4().hex[:8]}"
    root = tmp_path / "my projects" / "chapter one"
    shutil.copytree(CHAPTER, root)
    (root / "01_dag_extract_sql").rename(root / tag)
    for dag in (root / tag / "dags").glob("*.py"):
        dag.write_text(dag.read_text().replace("01_dag_extract_sql", tag).replace("08_airflow", f"{tag}old"))
    app = root / "module" / "app"
    (app / ".env").write_text(f"# test values\nLOGGER_SQL_URI={SECRET}\n")
    (app / "conf").mkdir()
    (app / "conf" / ".hidden").write_text("dotfile in a sub-folder\n")
    readonly = app / "conf" / "readonly.txt"
    readonly.write_text("a read-only source file\n")
    readonly.chmod(0o444)
    volume = f"{tag}_extractor_sql_dag_shared_app"
    docker_client.volumes.create(volume, labels=TEST_LABEL)
    yield root, app, volume, f"{tag}old_extractor_sql_dag_shared_app"
    for name in (volume, f"{tag}old_extractor_sql_dag_shared_app"):
        for container in docker_client.containers.list(all=True, filters={"volume": name}):
            container.remove(force=True)
        try:
            docker_client.volumes.get(name).remove(force=True)
        except Exception:
            pass


def check(root: Path) -> dict[str, list[dict]]:
    proc = doctor("check", CHECK, "--project", str(root), "--format", "json")
    assert "Traceback" not in proc.stderr, proc.stderr
    assert SECRET not in proc.stdout
    by_volume: dict[str, list[dict]] = {}
    for finding in findings_of(json.loads(proc.stdout), CHECK):
        by_volume.setdefault(finding["evidence"]["volume"], []).append(finding)
    return by_volume


def statuses(findings: list[dict]) -> list[str]:
    return sorted(f["status"] for f in findings)


def leftovers(client, volume: str) -> list:
    return client.containers.list(all=True, filters={"volume": volume})


def test_right_and_wrong_names_stale_fresh_and_missing_env(docker_client, chapter):
    root, app, volume, wrong = chapter
    first = check(root)
    assert [f["summary"] for f in first[wrong]] == [
        f"volume {wrong} does not exist on the daemon: the task's first run creates it EMPTY"]
    assert statuses(first[volume]) == ["fail", "fail"]  # empty: stale, and .env missing
    assert any(".env is missing" in f["summary"] for f in first[volume])

    proc = doctor("sync-volume", "--project", str(root))
    assert proc.returncode == 1, proc.stdout + proc.stderr  # the wrong name has no volume: not everything synced
    assert f"FAIL  {wrong}" in proc.stdout and "synced: 0 changed, 4 added" in proc.stdout, proc.stdout
    assert "already holds this code" in proc.stdout and SECRET not in proc.stdout + proc.stderr
    fresh = check(root)
    assert statuses(fresh[volume]) == ["ok"] and "in step" in fresh[volume][0]["summary"]
    assert doctor("sync-volume", "--project", str(root), "--check").returncode == 1  # the wrong name still
    assert leftovers(docker_client, volume) == []

    # The hand copy with `*`: every file but the dotfiles.
    helper = run_container(docker_client, os.environ["DIND_DOCTOR_PROBE_IMAGE"], ["sh", "-c", "rm -f /v/.env"],
                           volumes={volume: {"bind": "/v", "mode": "rw"}})
    assert helper.wait(timeout=60)["StatusCode"] == 0
    helper.remove()
    no_env = check(root)[volume]
    assert [f["status"] for f in no_env] == ["fail", "fail"] and ".env is missing" in no_env[0]["summary"]

    doctor("sync-volume", "--project", str(root))
    (app / ".env").write_text(f"LOGGER_SQL_URI={SECRET}-rotated\n")
    (app / "extractor_03.py").write_text("print('new code')\n")
    stale = check(root)[volume]
    assert any("(compared by SHA-256)" in f["summary"] for f in stale)
    assert any(f["summary"].startswith(f"stale volume {volume}") and "extractor_03.py" in f["summary"] for f in stale)
    checked = doctor("sync-volume", "--project", str(root), "--check")
    assert checked.returncode == 1 and "STALE" in checked.stdout and SECRET not in checked.stdout
    synced = doctor("sync-volume", "--project", str(root))
    assert "synced: 2 changed, 0 added, 0 removed (.env, extractor_03.py)" in synced.stdout, synced.stdout
    assert statuses(check(root)[volume]) == ["ok"]
    assert leftovers(docker_client, volume) == []


def test_sync_volume_end_to_end_dotfiles_spaces_readonly(docker_client, chapter):
    root, app, volume, wrong = chapter
    docker_client.volumes.create(wrong, labels=TEST_LABEL)  # both names exist: everything can sync
    proc = doctor("sync-volume", "--project", str(root))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.count("verified 4 file(s) identical (SHA-256), 2 dotfile(s) included") == 2
    reader = run_container(docker_client, os.environ["DIND_DOCTOR_PROBE_IMAGE"],
                           ["sh", "-c", "cd /v && find . -type f | sort && stat -c %a conf/readonly.txt"],
                           volumes={volume: {"bind": "/v", "mode": "ro"}})
    reader.wait(timeout=60)
    listing = reader.logs().decode().split()
    reader.remove()
    assert listing == ["./.env", "./conf/.hidden", "./conf/readonly.txt", "./extractor_03.py", "444"]
    again = doctor("sync-volume", "--project", str(root))
    assert again.returncode == 0 and "synced" not in again.stdout and again.stdout.count("ok   ") == 2
    assert leftovers(docker_client, volume) == [] and leftovers(docker_client, wrong) == []


def test_watch_syncs_on_change_and_stops_cleanly_on_ctrl_c(docker_client, chapter):
    root, app, volume, wrong = chapter
    proc = subprocess.Popen([sys.executable, "-m", "dind_doctor", "sync-volume", "--project", str(root), "--watch",
                             "--interval", "0.5", "--max-duration", "120"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        lines = []
        assert proc.stdout is not None
        while not any(line.startswith(tuple("0123456789")) and f"{volume}: synced" in line for line in lines):
            line = proc.stdout.readline()
            assert line, (lines, proc.stderr.read() if proc.stderr else "")
            lines.append(line)
        (app / "extractor_03.py").write_text("print('edited while watching')\n")
        while not any("1 changed" in line and "extractor_03.py" in line for line in lines):
            line = proc.stdout.readline()
            assert line, lines
            lines.append(line)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, err
    assert "stopped watching" in out and "Traceback" not in err
    assert leftovers(docker_client, volume) == []
    assert statuses(check(root)[volume]) == ["ok"]
    time.sleep(0)  # nothing else to wait for: the watch exited


WORKER = """name: {name}
services:
  airflow-worker:
    image: {image}
    command: ["sleep", "600"]
    user: "50000:0"
{group_add}    volumes:
      - /var/run/docker.sock:/var/run/docker.sock
    labels:
      io.dind-doctor.created-by: tests
      io.dind-doctor.test-session: "{session}"
"""


@pytest.fixture
def worker_project(docker_client, tmp_path):
    """Start a stand-in Airflow worker (user 50000:0, the socket mounted) by compose; `docker compose down`
    after. `make(group_add)` writes and starts one."""
    from support import TEST_SESSION

    started = []

    def make(group: str | None, docker_url: str | None = None) -> tuple[Path, str]:
        name = f"ddt{uuid.uuid4().hex[:8]}"
        folder = tmp_path / name
        (folder / "dags").mkdir(parents=True)
        group_add = f"    group_add:\n      - \"{group}\"\n" if group else ""
        (folder / "compose.yaml").write_text(WORKER.format(name=name, image=os.environ["DIND_DOCTOR_PYTHON_IMAGE"],
                                                           group_add=group_add, session=TEST_SESSION))
        url = f", docker_url={docker_url!r}" if docker_url else ""
        (folder / "dags" / "d.py").write_text("from airflow.providers.docker.operators.docker import DockerOperator\n"
                                              f"DockerOperator(task_id='t', image='i'{url})\n")
        up = subprocess.run(["docker", "compose", "up", "-d"], cwd=folder, capture_output=True, text=True, timeout=120)
        assert up.returncode == 0, up.stderr
        started.append(folder)
        return folder, name

    yield make
    for folder in started:
        subprocess.run(["docker", "compose", "down", "-t", "0"], cwd=folder, capture_output=True, timeout=120)


def worker_findings(folder: Path) -> list[dict]:
    proc = doctor("check", "airflow-worker-endpoint", "--project", str(folder), "--format", "json")
    assert "Traceback" not in proc.stderr, proc.stderr
    return findings_of(json.loads(proc.stdout), "airflow-worker-endpoint")


def test_worker_endpoint_as_the_airflow_user(docker_client, worker_project):
    socket_gid = str(os.stat("/var/run/docker.sock").st_gid)
    if socket_gid == "0":
        pytest.skip("the socket's group is root's here: gid 0 (the airflow user's group) already has it")
    denied, name = worker_project(None)
    (finding,) = worker_findings(denied)
    assert finding["status"] == "fail" and "permission denied for uid 50000" in finding["summary"]
    assert finding["evidence"]["uid gid groups"].startswith("50000 0")

    granted, name = worker_project(socket_gid, docker_url="tcp://127.0.0.1:1")
    by_url = {f["summary"].split(": ", 1)[1].split(" ")[0]: f for f in worker_findings(granted)}
    assert by_url["unix://var/run/docker.sock"]["status"] == "ok", by_url
    assert "answers as uid 50000" in by_url["unix://var/run/docker.sock"]["summary"]
    refused = next(f for url, f in by_url.items() if "127.0.0.1:1" in f["summary"])
    assert refused["status"] == "fail" and "ConnectionRefusedError" in refused["summary"]


def test_worker_endpoint_skips_when_nothing_runs(docker_client, tmp_path):
    folder = tmp_path / "quiet"
    folder.mkdir()
    (folder / "compose.yaml").write_text(f"name: ddt{uuid.uuid4().hex[:8]}\nservices:\n  airflow-worker:\n"
                                         "    image: apache/airflow:2.10.3\n")
    (finding,) = worker_findings(folder)
    assert finding["status"] == "skip" and "no running Airflow container" in finding["summary"]


def test_module_image_absent_then_built(docker_client, tmp_path):
    tag = f"ddt{uuid.uuid4().hex[:8]}"
    image = f"dind-doctor-test/{tag}-module"
    folder = tmp_path / "proj"
    (folder / "dags").mkdir(parents=True)
    (folder / "module").mkdir()
    (folder / "module" / "Dockerfile").write_text(f"FROM {os.environ['DIND_DOCTOR_PROBE_IMAGE']}\n"
                                                  f"LABEL io.dind-doctor.test-session={TEST_LABEL['io.dind-doctor.test-session']}\n")
    (folder / "compose.yaml").write_text(f"name: {tag}\nservices:\n  module:\n    image: {image}\n    build: ./module\n")
    (folder / "dags" / "d.py").write_text("from airflow.providers.docker.operators.docker import DockerOperator\n"
                                          f"DockerOperator(task_id='t', image={image!r})\n")

    def finding() -> dict:
        proc = doctor("check", "airflow-module-image", "--project", str(folder), "--format", "json")
        (only,) = findings_of(json.loads(proc.stdout), "airflow-module-image")
        return only

    try:
        absent = finding()
        assert absent["status"] == "fail" and "is not on the daemon" in absent["summary"]
        assert absent["fixes"][0]["text"] == 'docker compose -f "compose.yaml" build module'
        built = subprocess.run(["docker", "compose", "build"], cwd=folder, capture_output=True, text=True, timeout=300)
        assert built.returncode == 0, built.stderr
        present = finding()
        assert present["status"] == "ok" and present["evidence"]["on the daemon"] == "yes"
        assert "compose.yaml service module" in present["summary"]
    finally:
        try:
            docker_client.images.remove(image, force=True)
        except Exception:
            pass
