"""Code volumes and their source folders, read statically; hand-made syncs; the bounded watch loop."""
from __future__ import annotations

from pathlib import Path

import pytest

from dind_doctor.airflow.hand_sync import in_command
from dind_doctor.airflow.sync_all import WatchBounds, watch
from dind_doctor.airflow.volume_pairs import VolumePair, volume_pairs
from dind_doctor.airflow.volume_state import env_states
from dind_doctor.context import Context
from dind_doctor.engine.manifest import Entry, Manifest

REPO = Path(__file__).resolve().parents[2]
CHAPTER = REPO / "tests/fixtures/airflow_chapter"


def test_pairs_of_the_chapter_and_the_seed():
    ctx = Context(project=CHAPTER, shell="bash", env={}, platform="linux")
    pairs = {p.volume: p for p in volume_pairs(ctx)}
    assert set(pairs) == {"01_dag_extract_sql_extractor_sql_dag_shared_app", "08_airflow_extractor_sql_dag_shared_app"}
    right = pairs["01_dag_extract_sql_extractor_sql_dag_shared_app"]
    assert right.source == CHAPTER / "module/app" and right.target == "/home/app"
    assert right.image == "extractor_sql_dag_img" and right.how == "module/docker/Dockerfile copies module/app/ to /home/app"
    assert right.used_by[0] == "01_dag_extract_sql/dags/dag_extract_sql.py:17"
    assert "01_dag_extract_sql/docker-compose.yaml service airflow-worker" in right.used_by
    seed = Context(project=REPO / "tests/fixtures/seed_project", shell="bash", env={}, platform="linux")
    (pair,) = volume_pairs(seed)
    assert pair.volume == "hosted_extractor_sql_dag_shared_app" and pair.source.name == "app"


def test_hand_sync_source_when_no_build_says(tmp_path: Path):
    (tmp_path / "code").mkdir()
    (tmp_path / "dags").mkdir()
    (tmp_path / "dags/d.py").write_text("from airflow.providers.docker.operators.docker import DockerOperator\n"
                                        "from docker.types import Mount\n"
                                        "DockerOperator(task_id='t', image='remote/img:1', "
                                        "mounts=[Mount(source='vol', target='/srv/x')])\n")
    (tmp_path / "sync.sh").write_text('docker run --rm -v "$PWD/code":/source -v vol:/mnt busybox cp -r /source/. /mnt/\n'
                                      .replace("$PWD", str(tmp_path)))
    (pair,) = volume_pairs(Context(project=tmp_path, shell="bash", env={}, platform="linux"))
    assert pair.source == tmp_path / "code" and pair.how == "sync.sh:1 copies " + str(tmp_path / "code") + " into it by hand"


def syncs_in(text: str, dialect: str = "bash"):
    from dind_doctor.project.docker_commands import docker_commands

    return [sync for command in docker_commands(text, dialect) for sync in in_command("s", command)]


@pytest.mark.parametrize("line,dialect,star,source,volume", [
    ('docker run --rm -v C:/Users/me/app:/source -v p_vol:/mnt busybox sh -c "cp -r /source/* /mnt/"', "powershell",
     True, "C:/Users/me/app", "p_vol"),
    ("docker run --rm -v \"$HOME/my app\":/source:ro -v p_vol:/mnt:rw busybox cp -a /source/. /mnt", "bash", False,
     "$HOME/my app", "p_vol"),
    ("docker run --rm -v %cd%\\app:/source -v p_vol:/mnt busybox sh -c \"cp -r /source/* /mnt/\"", "cmd", True,
     "%cd%\\app", "p_vol"),
    ("docker run --rm -v /srv/a:/source -v /srv/b:/mnt busybox cp -r /source/* /mnt", "bash", True, "/srv/a", None),
])
def test_hand_sync_commands(line, dialect, star, source, volume):
    (found,) = syncs_in("# refresh\n" + line + "\n", dialect)
    assert (found.line, found.skips_dotfiles, found.source, found.volume) == (2, star, source, volume)


def test_a_continued_command_is_one_command():
    text = "docker run --rm \\\n  -v /h/app:/source \\\n  -v vol:/mnt \\\n  busybox sh -c 'cp -r /source/* /mnt/'\n"
    (found,) = syncs_in(text)
    assert (found.line, found.source, found.volume) == (4, "/h/app", "vol")


def test_no_hand_sync():
    assert syncs_in("cp -r /data/* /backup/\necho cp\ndocker run -v x:/y busybox true\n") == []


def test_env_states_by_hash_only():
    source = Manifest({".env": Entry(10, "a"), "app/.env.prod": Entry(3, "b"), ".env.example": Entry(1, "c"),
                       "x.py": Entry(1, "d")})
    volume = Manifest({".env": Entry(10, "z"), "x.py": Entry(1, "d")})
    assert env_states(source, volume) == ((".env", "differs"), ("app/.env.prod", "missing"))


def test_watch_is_bounded_and_polls_without_a_daemon_when_nothing_changes():
    said: list[str] = []
    sleeps: list[float] = []
    now = [0.0]

    def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        now[0] += seconds

    ctx = Context(project=CHAPTER, shell="bash", env={}, platform="linux")
    pair = VolumePair("v", "/x", None, "no source", ("d.py:1",))
    assert watch(ctx, [pair], said.append, False, WatchBounds(0.5, 10.0), clock=lambda: now[0], sleep=sleep) == 0
    assert len(sleeps) == 20 and said == ["watch ended after 10 s (--max-duration)"]
    sleeps.clear()
    watch(ctx, [pair], said.append, False, WatchBounds(0.5, 10.0, max_polls=3), clock=lambda: now[0], sleep=sleep)
    assert len(sleeps) == 2


def test_a_source_outside_the_project_is_not_read(tmp_path: Path):
    outside = tmp_path / "elsewhere"
    (outside / "app").mkdir(parents=True)
    project = tmp_path / "project"
    (project / "dags").mkdir(parents=True)
    (project / "app").symlink_to(outside / "app")
    (project / "dags/d.py").write_text("from airflow.providers.docker.operators.docker import DockerOperator\n"
                                       "from docker.types import Mount\n"
                                       "DockerOperator(task_id='t', mounts=[Mount('/home/app', 'vol')])\n")
    (project / "sync.sh").write_text(f"docker run -v {outside / 'app'}:/source -v vol:/mnt busybox cp -r /source/. /mnt\n")
    (pair,) = volume_pairs(Context(project=project, shell="bash", env={}, platform="linux"))
    assert pair.source is None and pair.how.endswith("outside the project: not read")


def test_worker_ping_output_parsed():
    from dind_doctor.airflow.worker_ping import parse

    ident, pings = parse("ID 50000 0 0\nURL unix://var/run/docker.sock\nERROR PermissionError 13 [Errno 13] "
                         "Permission denied\nURL tcp://h:2375\nANSWER HTTP/1.1 200 OK\nnoise\n")
    assert ident == "50000 0 0"
    assert [(p.url, p.ok, p.denied) for p in pings] == [("unix://var/run/docker.sock", False, True),
                                                        ("tcp://h:2375", True, False)]
