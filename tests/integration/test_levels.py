"""`dind-doctor levels` for real: the seed's shape, the seed as written, the reference module, and a walk
whose outer stand-in is killed while its daemon hangs."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import uuid

import pytest

from support import REPO, doctor, ended_runs_leftovers

NESTING = REPO / "tests" / "fixtures" / "nesting"


def _matrix(project, *env_args, env=None):
    args = [a for kv in env_args for a in ("--env", kv)]
    proc = doctor("levels", "--project", str(project), "--format", "json", *args, env=env)
    assert "Traceback" not in proc.stderr, proc.stderr
    assert proc.stdout, proc.stderr
    report = json.loads(proc.stdout)
    return proc.returncode, {r["id"]: r for r in report["rows"]}


def _states(row):
    return tuple(row["cells"][lv]["state"] for lv in ("host", "outer", "module"))


def _no_leftovers(client):
    assert not ended_runs_leftovers(client, "levels-outer", "levels-module", "levels-volume")


def _unique_image(compose_file, tag):
    """The copy builds or looks up an image of its own: the shared engine may hold the seed's name."""
    text = compose_file.read_text()
    compose_file.write_text(text.replace("image: extractor_sql_dag_img", f"image: dind-doctor-test/{tag}"))


@pytest.fixture
def built_seed_like(docker_client, tmp_path):
    project = tmp_path / "seed_like"
    shutil.copytree(NESTING / "seed_like", project)
    tag = f"ddl{uuid.uuid4().hex[:8]}"
    names = {"COMPOSE_PROJECT_NAME": tag, "MODULE_IMAGE": f"dind-doctor-test/{tag}",
             "MODULE_CONTAINER": f"{tag}-m", "FIRST_CONTAINER": f"{tag}-f",
             "MODULE_BASE": os.environ["DIND_DOCTOR_PYTHON_IMAGE"], "PROBE_IMAGE": os.environ["DIND_DOCTOR_PROBE_IMAGE"]}
    env = dict(os.environ, **names)

    def compose(*args):
        return subprocess.run(["docker", "compose", *args], cwd=project / "hosted", env=env, capture_output=True,
                              text=True, timeout=300)

    assert compose("up", "--build", "--exit-code-from", "extractor_sql").returncode == 0
    yield project, env, [f"{k}={v}" for k, v in names.items()], compose
    compose("down", "-v")
    try:
        docker_client.images.remove(names["MODULE_IMAGE"], force=True)
    except Exception:
        pass


def test_seed_shape_cell_by_cell_fresh_then_stale(docker_client, built_seed_like):
    project, env, env_args, compose = built_seed_like
    code, rows = _matrix(project, *env_args, env=env)
    assert _states(rows["sentinel"]) == ("seen", "seen", "missing")
    assert rows["sentinel"]["lost_at"] == "module" and "named volume" in rows["sentinel"]["why"]
    assert "filled from the image ONCE" in rows["sentinel"]["why"]
    assert _states(rows["env-file"]) == ("seen", "seen", "seen")  # the seed's image bakes .env in
    assert _states(rows["code"]) == ("seen", "seen", "seen")
    assert _states(rows["volume:extractor_sql_dag_shared_app"]) == ("seen", "n/a", "seen")
    assert _states(rows["var:AWS_REGION"]) == _states(rows["var:LOGGER_SQL_URI"]) == ("seen", "seen", "seen")
    assert code == 1  # the sentinel never reaches the module

    (project / "hosted" / "app" / "extractor_03.py").write_text('print("version 2")\n')
    compose("build")
    code, rows = _matrix(project, *env_args, env=env)
    assert _states(rows["code"]) == ("seen", "seen", "stale")
    assert rows["code"]["lost_at"] == "module" and "extractor_03.py" in rows["code"]["why"]
    _no_leftovers(docker_client)


def test_seed_as_written(docker_client, tmp_path):
    project = tmp_path / "seed"
    shutil.copytree(REPO / "tests" / "fixtures" / "seed_project", project)
    tag = f"dds{uuid.uuid4().hex[:8]}"
    _unique_image(project / "hosted" / "docker-compose.yml", tag)  # not built: the walk says so
    code, rows = _matrix(project, f"COMPOSE_PROJECT_NAME={tag}", env=dict(os.environ, COMPOSE_PROJECT_NAME=tag))
    assert _states(rows["sentinel"]) == ("seen", "seen", "missing")
    assert _states(rows["env-file"]) == ("seen", "seen", "n/a")  # keys arrive as variables all the same
    assert _states(rows["code"]) == ("seen", "seen", "missing")
    assert "is not built" in rows["code"]["why"]
    volume = rows["volume:extractor_sql_dag_shared_app"]
    assert _states(volume) == ("n/a", "n/a", "empty")
    assert "not created yet" in volume["cells"]["host"]["note"]
    for key in ("LOGGER_SQL_URI", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_REGION"):
        assert _states(rows[f"var:{key}"]) == ("seen", "seen", "seen")
    assert "fixture-password-not-real" not in json.dumps(rows)
    assert code == 1
    assert not docker_client.volumes.list(filters={"name": f"{tag}_extractor_sql_dag_shared_app"})
    _no_leftovers(docker_client)


def test_reference_module(docker_client, tmp_path):
    shutil.copytree(REPO / "hosted", tmp_path / "hosted", ignore=shutil.ignore_patterns("__pycache__"))
    # The user's step: app/.env from .env.example, filled in (with fake values here).
    example = (tmp_path / "hosted" / "app" / ".env.example").read_text()
    keys = [line.split("=")[0] for line in example.splitlines() if line and not line.startswith("#")]
    (tmp_path / "hosted" / "app" / ".env").write_text("".join(f"{k}=fake-{k.lower()}\n" for k in keys))
    tag = f"ddr{uuid.uuid4().hex[:8]}"
    _unique_image(tmp_path / "hosted" / "docker-compose.yml", tag)
    code, rows = _matrix(tmp_path / "hosted", env=dict(os.environ, COMPOSE_PROJECT_NAME=tag))
    assert not [r for r in rows if r.startswith("volume:")]  # no named volume on the code
    assert _states(rows["env-file"]) == ("seen", "seen", "n/a")  # .dockerignore keeps it out of the image
    assert _states(rows["code"]) == ("seen", "seen", "missing") and "is not built" in rows["code"]["why"]
    assert _states(rows["sentinel"]) == ("seen", "seen", "missing")
    variables = [r for r in rows if r.startswith("var:")]
    assert variables and all(_states(rows[v]) == ("seen", "seen", "seen") for v in variables)
    _no_leftovers(docker_client)


def test_killed_outer_stand_in_is_an_error_and_leaves_nothing(docker_client, hanging):
    proc = subprocess.Popen([sys.executable, "-m", "dind_doctor", "levels", "--project", str(hanging)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    from dind_doctor.labels import OWNER_HOST, OWNER_PID, current_owner

    label = ["io.dind-doctor.created-by=levels-outer", f"{OWNER_PID}={proc.pid}", f"{OWNER_HOST}={current_owner().host}"]
    deadline = time.monotonic() + 60
    while not (found := docker_client.containers.list(filters={"label": label})) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert found, "the outer stand-in never started"
    time.sleep(1)  # it is stuck on the silent daemon now
    found[0].kill()
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 1 and "Traceback" not in err
    assert "stopped (exit 137)" in err
    _no_leftovers(docker_client)


def test_walk_timeout_is_an_error_and_leaves_nothing(docker_client, hanging):
    proc = doctor("levels", "--project", str(hanging), "--wait", "6")
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert "did not finish within 6 s" in proc.stderr
    _no_leftovers(docker_client)
