"""run-reference --via airflow on the real engine: a real Airflow 2.10.3 with providers-docker 4.4.5 runs the
shipped DAG with `airflow tasks test`; its DockerOperator starts the unchanged module image through the
mounted socket. Each test asserts on its own run id's labels only (other runs share the engine)."""
from __future__ import annotations

import shutil
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


def test_airflow_with_the_users_env_file_and_keep(docker_client, tmp_path):
    """--env-file: the user's own servers (here a PostgreSQL and an S3 server of the test's, on the default
    bridge, which is where the DAG's module container goes without embedded servers); --keep: what the run
    created is still there afterwards, with the commands that remove it."""
    import secrets
    import uuid

    from dind_doctor.engine.cleanup import remove_run
    from dind_doctor.reference.s3_read import output_object, read_rows
    from dind_doctor.reference.seed_data import seed_sql
    from dind_doctor.reference.servers import _tar_one, _wait_for_postgres
    from support import image_env, run_container

    password, access, secret = secrets.token_hex(10), "userkey" + secrets.token_hex(4), secrets.token_hex(14)
    tag = uuid.uuid4().hex[:8]
    postgres = run_container(docker_client, image_env("DIND_DOCTOR_POSTGRES_IMAGE"), None, name=f"ddtest-pg-{tag}",
                             environment={"POSTGRES_USER": "u", "POSTGRES_PASSWORD": password, "POSTGRES_DB": "d"})
    s3 = run_container(docker_client, image_env("DIND_DOCTOR_S3_IMAGE"), ["-H", "0.0.0.0", "-p", "9000"],
                       entrypoint=["moto_server"], name=f"ddtest-s3-{tag}")
    _wait_for_postgres(postgres, password, user="u", db="d")
    postgres.put_archive("/tmp", _tar_one("seed.sql", seed_sql().encode()))
    code, output = postgres.exec_run(["psql", "-q", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-U", "u", "-d", "d",
                                      "-f", "/tmp/seed.sql"], environment={"PGPASSWORD": password})
    assert code == 0, output
    address = {c.name: (c.reload(), c.attrs["NetworkSettings"]["IPAddress"])[1] for c in (postgres, s3)}
    env = {"LOGGER_SQL_URI": f"postgresql://u:{password}@{address[postgres.name]}:5432/d",
           "AWS_ACCESS_KEY_ID": access, "AWS_SECRET_ACCESS_KEY": secret, "AWS_DEFAULT_REGION": "us-east-1",
           "AWS_ENDPOINT_URL": f"http://{address[s3.name]}:9000",
           "OUTPUT_URL": f"s3://user-bucket-{tag}/data/validated.csv"}
    read_rows(output_object(env), create_bucket=True, timeout=30, wait=60)  # the user's bucket exists
    env_file = tmp_path / "user.env"
    env_file.write_text("".join(f"{k}={v}\n" for k, v in env.items()))

    out = Output()
    try:
        assert run_reference(echo=out, via="airflow", env_file=env_file, keep=True) == 0, out.text
        assert rows(out) == [(0, 1)]
        assert "credentials from" in out.text and "start PostgreSQL and S3" not in out.text
        assert "read through S3 API" in out.text  # the tool read the user's endpoint itself
        for value in (password, secret):
            assert value not in out.text
        # --keep: the Airflow container and the module image are still there, and the run says how to remove them.
        kept = leftovers(docker_client, out.run_id)
        assert f"container ddref-{out.run_id}-airflow" in kept, kept
        assert any(item.startswith("image ") for item in kept), kept
        assert "--keep: everything this run created is still there" in out.text
        assert f"docker rm -f $(docker ps -aq --filter label=io.dind-doctor.run={out.run_id})" in out.text
    finally:
        remove_run(docker_client, out.run_id, projects=[f"ddref-{out.run_id}"], images=True)
        kept_copy = [line.split()[2] for line in out.lines if line.strip().startswith("rm -rf ")]
        for folder in kept_copy:
            shutil.rmtree(folder, ignore_errors=True)
    assert leftovers(docker_client, out.run_id) == []
    assert kept_copy and not any(Path(folder).exists() for folder in kept_copy)

