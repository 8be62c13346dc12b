"""The two shapes the airflow-* checks share (airflow/check_bases): per container task and per DAG Mount."""
from __future__ import annotations

from pathlib import Path

import pytest

from dind_doctor.airflow import project as airflow_project
from dind_doctor.airflow.check_bases import NO_CONTAINER_TASK, ContainerTaskCheck
from dind_doctor.model import Finding, Status

from test_airflow_checks import AIRFLOW_CHECKS, HEAD, WORKER, ctx_for, run, write


class ImageNamed(ContainerTaskCheck):
    """A task check of the test's own: a finding for each task whose image is `bad`."""

    id = "test-image-named"
    title = "test"

    def task(self, ctx, dag, call) -> Finding | None:
        image = call.arg("image")
        return self.finding(Status.FAIL, call.name) if image is not None and image.value == "bad" else None

    def all_well(self, ctx, tasks: int) -> Finding:
        return self.finding(Status.OK, f"{tasks} task(s)")


def test_a_task_check_skips_without_tasks_finds_per_task_else_one_ok(tmp_path: Path):
    write(tmp_path, {"x.py": "print('no docker here')\n"})
    assert [(f.status, f.summary) for f in ImageNamed().run(ctx_for(tmp_path))] == [(Status.SKIP, NO_CONTAINER_TASK)]
    write(tmp_path, {"dags/d.py": HEAD + "DockerOperator(task_id='a', image='good')\n"
                                         "DockerOperator(task_id='b', image='good')\n"})
    assert [(f.status, f.summary) for f in ImageNamed().run(ctx_for(tmp_path))] == [(Status.OK, "2 task(s)")]
    write(tmp_path, {"dags/d.py": HEAD + "DockerOperator(task_id='a', image='bad')\n"
                                         "DockerOperator(task_id='b', image='good')\n"
                                         "DockerOperator(task_id='c', image='bad')\n"})
    assert [(f.status, f.summary) for f in ImageNamed().run(ctx_for(tmp_path))] == \
        [(Status.FAIL, "a"), (Status.FAIL, "c")]


@pytest.mark.parametrize("check_id,kind", [("airflow-bind-mounts", "bind"), ("airflow-volume-mounts", "volume")])
def test_a_source_that_is_no_literal_is_said_not_judged(tmp_path: Path, check_id: str, kind: str):
    write(tmp_path, {"compose.yaml": WORKER.format(extra=""), "dags/d.py": HEAD + (
        f"SRC = compute()\nDockerOperator(task_id='t', image='i', mounts=[Mount(target='/a', source=SRC, type='{kind}'),\n"
        f"    Mount(target='/b', type='{kind}')])\n")})
    findings = run(check_id, tmp_path)
    assert [(f.status, f.location.line) for f in findings] == [(Status.SKIP, 5), (Status.SKIP, 6)]
    assert findings[0].summary.startswith(f"DockerOperator t: {kind} source ")
    assert findings[0].summary.endswith(": not checked") and "missing: not checked" in findings[1].summary


def test_the_airflow_services_are_read_once_per_run_for_every_check(tmp_path: Path, monkeypatch):
    """Operation count: each compose service is classified once, however many tasks, mounts and checks."""
    write(tmp_path, {"compose.yaml": WORKER.format(extra="      - /var/run/docker.sock:/var/run/docker.sock\n"),
                     "dags/d.py": HEAD + "".join(
                         f"DockerOperator(task_id='t{i}', image='i', mounts=[Mount(target='/a', source='/srv/{i}', "
                         f"type='bind'), Mount(target='/b', source='/opt/airflow/x{i}', type='bind')])\n"
                         for i in range(20))})
    calls: list[str] = []
    real = airflow_project.is_airflow_service

    def counting(name: str, spec) -> bool:
        calls.append(name)
        return real(name, spec)

    monkeypatch.setattr(airflow_project, "is_airflow_service", counting)
    ctx = ctx_for(tmp_path)
    findings = [f for cls in AIRFLOW_CHECKS.values() if not cls.needs_engine for f in cls().run(ctx)]
    binds = [f for f in findings if f.check == "airflow-bind-mounts"]
    assert len(binds) == 40 and {f.status for f in binds} == {Status.OK, Status.FAIL}
    assert sum(f.check == "airflow-mount-tmp-dir" for f in findings) == 20
    assert calls == ["airflow-worker"]
