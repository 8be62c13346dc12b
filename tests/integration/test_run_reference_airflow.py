"""run-reference --via airflow on the real engine: a real Airflow 2.10.3 with providers-docker 4.4.5 runs the
shipped DAG with `airflow tasks test`; its DockerOperator starts the unchanged module image through the
mounted socket. Each test asserts on its own run id's labels only (other runs share the engine)."""
from __future__ import annotations

from pathlib import Path

from test_run_reference import Output, rows

from dind_doctor.reference import run_reference
from support import leftovers


def test_airflow_twice_in_a_row_each_run_adds_one_row(docker_client):
    out = Output()
    assert run_reference(echo=out, via="airflow", runs=2) == 0, out.text
    n = rows(out)[0][0]
    assert rows(out) == [(n, n + 1), (n + 1, n + 2)]
    # The module ran as an Airflow task (DockerOperator's own log lines), not through compose.
    assert "Executing <Task(DockerOperator): extract>" in out.text
    assert "Marking task as SUCCESS. dag_id=extractor_sql_dag, task_id=extract" in out.text
    assert "docker compose up" not in out.text
    assert out.text.count("the module container exited 0 and was removed") == 2
    assert leftovers(docker_client, out.run_id) == []
    module = f"extractor_sql_dag-{out.run_id}"
    assert docker_client.containers.list(all=True, filters={"name": module}) == []


def test_airflow_interrupted_during_the_task_leaves_nothing(docker_client):
    class Interrupting(Output):
        fired = False

        def __call__(self, line: str) -> None:
            super().__call__(line)
            if not self.fired and "Starting docker container from image" in line:
                self.fired = True
                raise KeyboardInterrupt  # Ctrl-C while the DockerOperator's module container runs

    out = Interrupting()
    assert run_reference(echo=out, via="airflow") == 130, out.text
    assert out.fired and "interrupted" in out.text
    assert leftovers(docker_client, out.run_id) == []
    assert docker_client.containers.list(all=True, filters={"name": f"extractor_sql_dag-{out.run_id}"}) == []


USER_DAG = Path(__file__).resolve().parents[1] / "fixtures" / "user_dag" / "user_extract_dag.py"


def test_user_dag_stopped_by_the_preflight_with_its_findings(docker_client):
    out = Output()
    assert run_reference(echo=out, via="airflow", dag=USER_DAG, task="run_extractor") == 1, out.text
    assert "fail: airflow-auto-remove:" in out.text and "auto_remove=True on providers-docker 4.x" in out.text
    assert "fail: airflow-env-file:" in out.text and "env_file is a path" in out.text
    assert "fail: airflow-volume-content: volume 08_airflow_extract_app_code does not exist" in out.text
    assert "run again with --force" in out.text
    assert "airflow tasks test" not in out.text  # stopped before Airflow
    assert leftovers(docker_client, out.run_id) == []


def test_user_dag_forced_shows_airflows_own_error(docker_client):
    out = Output()
    code = run_reference(echo=out, via="airflow", dag=USER_DAG, task="run_extractor", force=True)
    assert code != 0, out.text
    assert "airflow tasks test user_extract run_extractor" in out.text
    # Airflow's own words (the provider raises at DAG import), not the preflight's summary of them
    assert "ValueError: Invalid `auto_remove` value True, expected one of" in out.text
    assert "Dag 'user_extract' could not be found; either it does not exist or it failed to parse" in out.text
    assert "the Airflow task failed" in out.text
    assert leftovers(docker_client, out.run_id) == []
