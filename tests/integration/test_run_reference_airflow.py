"""run-reference --via airflow on the real engine: a real Airflow 2.10.3 with providers-docker 4.4.5 runs the
shipped DAG with `airflow tasks test`; its DockerOperator starts the unchanged module image through the
mounted socket. Each test asserts on its own run id's labels only (other runs share the engine)."""
from __future__ import annotations

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
