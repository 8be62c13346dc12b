"""The airflow-* static checks on the chapter-shaped fixture and on small projects, finding by finding."""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from dind_doctor.context import Context
from dind_doctor.model import Status
from dind_doctor.registry import load_all

REPO = Path(__file__).resolve().parents[2]
CHAPTER = REPO / "tests/fixtures/airflow_chapter"
AIRFLOW_CHECKS = {c.id: c for c in load_all() if getattr(c, "id", "").startswith("airflow-")}


def ctx_for(project: Path, **env: str) -> Context:
    # An endpoint that answers nothing: these are the static parts.
    return Context(project=project, shell="bash", env={"DOCKER_HOST": f"unix://{project}/none.sock", **env},
                   platform="linux", timeout=0.5)


def run(check_id: str, project: Path, **env: str):
    return list(AIRFLOW_CHECKS[check_id]().run(ctx_for(project, **env)))


def table(check_id: str, project: Path = CHAPTER, **env: str) -> set[tuple[str, str | None, int | None]]:
    return {(f.status.value, f.location.path if f.location else None, f.location.line if f.location else None)
            for f in run(check_id, project, **env)}


DAG = "01_dag_extract_sql/dags/dag_extract_sql.py"
TCP_DAG = "01_dag_extract_sql/dags/dag_extract_sql_tcp.py"
COMPOSE = "01_dag_extract_sql/docker-compose.yaml"
ROWS = [
    ("airflow-auto-remove", {("fail", DAG, 19)}),
    ("airflow-env-file", {("warn", DAG, 16), ("fail", TCP_DAG, 14)}),
    ("airflow-volume-mounts", {("warn", DAG, 17), ("fail", TCP_DAG, 15)}),
    ("airflow-mount-tmp-dir", {("warn", DAG, 12)}),
    ("airflow-daemon-access", {("warn", TCP_DAG, 12), ("warn", COMPOSE, 16)}),
    ("airflow-volume-sync", {("fail", "01_dag_extract_sql/sync_volume.ps1", 2),
                             ("warn", "01_dag_extract_sql/README.md", 6)}),
    ("airflow-bind-mounts", {("skip", None, None)}),
]


@pytest.mark.parametrize("check_id,expected", ROWS)
def test_chapter_findings(check_id, expected):
    assert table(check_id) == expected


def test_chapter_named_both_volume_names_and_the_fix():
    (fail,) = [f for f in run("airflow-volume-mounts", CHAPTER) if f.status is Status.FAIL]
    assert "08_airflow_extractor_sql_dag_shared_app" in fail.summary
    assert "01_dag_extract_sql_extractor_sql_dag_shared_app" in fail.summary
    assert 'source="01_dag_extract_sql_extractor_sql_dag_shared_app"' in fail.fixes[0].text


def test_auto_remove_reasoning_and_series():
    (fail,) = run("airflow-auto-remove", CHAPTER)
    assert "4.x" in fail.summary and "Airflow 2.10.3" in fail.detail and 'auto_remove="success"' in fail.fixes[0].text


def test_module_image_built_by_the_module_compose():
    findings = run("airflow-module-image", CHAPTER)
    assert {f.status for f in findings} == {Status.OK}
    assert "module/docker-compose.yml service extractor_sql" in findings[0].summary


def test_no_secret_value_in_any_finding():
    values = ["postgresql://fake:fake@db/fake", "eu-west-3"]
    for check_id in (c for c, cls in AIRFLOW_CHECKS.items() if not cls.needs_engine):  # live ones: integration
        for f in run(check_id, CHAPTER):
            text = json.dumps([f.summary, f.detail, [x.text for x in f.fixes], dict(f.evidence)], default=str)
            assert not any(v in text for v in values), (check_id, f.summary)


def test_every_check_skips_a_project_without_dags(tmp_path: Path):
    (tmp_path / "x.py").write_text("print('no docker here')\n")
    for check_id in AIRFLOW_CHECKS:
        assert [f.status for f in run(check_id, tmp_path)] == [Status.SKIP], check_id


def write(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


HEAD = "from airflow.providers.docker.operators.docker import DockerOperator\nfrom docker.types import Mount\nimport os\n"
WORKER = ("services:\n  airflow-worker:\n    image: apache/airflow:2.10.3\n    user: \"50000:0\"\n"
          "    volumes:\n      - ./dags:/opt/airflow/dags\n      - code:/home/app\n{extra}"
          "volumes:\n  code:\n")


def test_bind_sources(tmp_path: Path):
    write(tmp_path, {"compose.yaml": WORKER.format(extra=""), "dags/d.py": HEAD + (
        "DockerOperator(task_id='t', image='i', mount_tmp_dir=False, mounts=[\n"
        "    Mount(target='/a', source='/opt/airflow/dags/app', type='bind'),\n"
        "    Mount(target='/b', source='/home/app/sub', type='bind'),\n"
        "    Mount(target='/c', source='/opt/airflow/plugins', type='bind'),\n"
        "    Mount(target='/d', source='C:\\\\Users\\\\me\\\\app', type='bind'),\n"
        "    Mount(target='/e', source='app', type='bind'),\n"
        "    Mount(target='/f', source='/srv/data', type='bind'),\n"
        "    Mount(target='/g', source=os.environ['HOST_PROJECT_DIR'], type='bind'),\n])\n")})
    findings = run("airflow-bind-mounts", tmp_path)
    by_line = {f.location.line: f for f in findings}
    assert {line: f.status.value for line, f in by_line.items()} == {
        5: "warn", 6: "fail", 7: "fail", 8: "warn", 9: "fail", 10: "ok", 11: "ok"}
    assert str(tmp_path / "dags/app") in by_line[5].summary
    assert "/run/desktop/mnt/host/c/Users/me/app" in by_line[8].summary


@pytest.mark.parametrize("extra,status", [
    ("      - /var/run/docker.sock:/var/run/docker.sock\n", "fail_or_warn"),
    ("      - /var/run/docker.sock:/var/run/docker.sock\n    group_add:\n      - \"{gid}\"\n", "ok"),
])
def test_socket_group(tmp_path: Path, extra: str, status: str):
    try:
        gid = str(os.stat("/var/run/docker.sock").st_gid)
    except OSError:
        gid = None
    write(tmp_path, {"compose.yaml": WORKER.format(extra=extra.format(gid=gid or "999")),
                     "dags/d.py": HEAD + "DockerOperator(task_id='t', image='i')\n"})
    statuses = {f.status.value for f in run("airflow-daemon-access", tmp_path)}
    if status == "ok":
        assert statuses == ({"ok"} if gid is not None else {"warn"})
    elif gid in (None, "0"):  # the socket's group is root's here: gid 0 already has it
        assert statuses <= {"ok", "warn"}
    else:
        assert statuses == {"fail"}


def test_docker_host_in_dotenv_and_remote_url(tmp_path: Path):
    write(tmp_path, {"compose.yaml": WORKER.format(extra=""), ".env": "DOCKER_HOST=tcp://10.0.0.5:2375\nSECRET=x1y2\n",
                     "dags/d.py": HEAD + "DockerOperator(task_id='t', image='i', docker_url='tcp://192.0.2.1:2376',"
                                         " tls_ca_cert='/c/ca.pem')\n"})
    findings = run("airflow-daemon-access", tmp_path)
    assert [(f.status.value, f.location.path, f.location.line) for f in findings] == [("fail", ".env", 1)]
    assert "x1y2" not in json.dumps([f.summary for f in findings] + [dict(f.evidence) for f in findings])


def test_auto_remove_on_3x_warns_and_bad_string_fails(tmp_path: Path):
    write(tmp_path, {"requirements.txt": "apache-airflow-providers-docker<4\n",
                     "dags/d.py": HEAD + "DockerOperator(task_id='t', image='i', auto_remove=False)\n"
                                         "DockerOperator(task_id='u', image='i', auto_remove='always')\n"})
    assert table("airflow-auto-remove", tmp_path) == {("warn", "dags/d.py", 4), ("fail", "dags/d.py", 5)}


def test_env_file_forms(tmp_path: Path):
    write(tmp_path, {"dags/d.py": HEAD + (
        "DockerOperator(task_id='a', image='i', env_file='/home/app/config')\n"
        "DockerOperator(task_id='b', image='i', env_file='A=1\\nB=2')\n"
        "DockerOperator(task_id='c', image='i', env_file='{{ var.value.env }}')\n"
        "DockerOperator(task_id='d', image='i', env_file='module.env')\n")})
    assert table("airflow-env-file", tmp_path) == {("warn", "dags/d.py", 4), ("fail", "dags/d.py", 7)}


def test_volume_with_fixed_name_and_unknown_volume(tmp_path: Path):
    write(tmp_path, {"compose.yaml": WORKER.format(extra="").replace("  code:\n", "  code:\n    name: shared_code\n"),
                     "dags/d.py": HEAD + ("DockerOperator(task_id='a', image='i', mounts=[Mount('/a', 'shared_code')])\n"
                                          "DockerOperator(task_id='b', image='i', mounts=[Mount('/a', 'nobody')])\n")})
    assert table("airflow-volume-mounts", tmp_path) == {("ok", "dags/d.py", 4), ("warn", "dags/d.py", 5)}


def test_broken_dag_files(tmp_path: Path):
    write(tmp_path, {"dags/py2.py": HEAD + 'print "x"\n', "dags/ok.py": HEAD + "DockerOperator(task_id='t')\n"})
    statuses = table("airflow-dags", tmp_path)
    assert ("fail", "dags/py2.py", 4) in statuses and any(s[0] == "ok" for s in statuses)


def test_fixture_is_a_copyable_project(tmp_path: Path):
    """Renaming the Airflow folder renames the compose project: the DAG that was right now mounts a wrong name."""
    shutil.copytree(CHAPTER, tmp_path / "c")
    (tmp_path / "c/01_dag_extract_sql").rename(tmp_path / "c/02_renamed")
    statuses = table("airflow-volume-mounts", tmp_path / "c")
    assert ("fail", "02_renamed/dags/dag_extract_sql.py", 17) in statuses



def test_static_mode_spawns_no_compose_cli_and_finds_the_same(monkeypatch):
    """--static reads the raw model: no `docker compose config` per compose file, the same findings."""
    from dind_doctor import subprocesses

    spawned: list[list[str]] = []
    real_run = subprocesses.run

    def counting_run(argv, *args, **kwargs):
        spawned.append(list(argv))
        return real_run(argv, *args, **kwargs)

    monkeypatch.setattr(subprocesses, "run", counting_run)
    ctx = Context(project=CHAPTER, shell="bash", env={"DOCKER_HOST": f"unix://{CHAPTER}/none.sock"},
                  platform="linux", timeout=0.5, static=True)
    for check_id, expected in ROWS:
        got = {(f.status.value, f.location.path if f.location else None, f.location.line if f.location else None)
               for f in AIRFLOW_CHECKS[check_id]().run(ctx)}
        assert got == expected, check_id
    assert {f.status for f in AIRFLOW_CHECKS["airflow-module-image"]().run(ctx)} == {Status.OK}
    assert not [argv for argv in spawned if argv[:2] == ["docker", "compose"]]
