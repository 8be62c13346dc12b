"""run-reference's pure parts: options, image recipes, masking, the compose override, the seed table."""
from __future__ import annotations

import pytest
import yaml

from dind_doctor.reference import run_reference
from dind_doctor.reference import project as proj
from dind_doctor.masking import Masker
from dind_doctor.reference.options import Options, UsageProblem, images_from_env, s3_recipe
from dind_doctor.reference.seed_data import seed_sql
from dind_doctor.reference.servers import Credentials, module_env
from dind_doctor.reference.timeline import Timeline


@pytest.mark.parametrize("image, recipe", [
    ("minio/minio:latest", "minio"), ("quay.io/minio/minio:RELEASE.2025-01-01", "minio"),
    ("dind-doctor/s3:moto", "moto"), ("motoserver/moto:5.0", "moto"),
])
def test_s3_recipe_from_the_image_name(image, recipe):
    chosen = s3_recipe(image, env={})
    assert chosen.name == recipe
    assert "9000" in " ".join(chosen.argv)


def test_s3_command_override_and_unknown_image():
    assert s3_recipe("acme/s3", env={"DIND_DOCTOR_S3_COMMAND": "s3d --port 9000 'a b'"}).argv == (
        "s3d", "--port", "9000", "a b")
    with pytest.raises(UsageProblem, match="DIND_DOCTOR_S3_COMMAND"):
        s3_recipe("acme/s3", env={})


def test_images_default_to_public_ones_and_honour_overrides():
    assert images_from_env({}).postgres == "postgres:16-alpine"
    assert images_from_env({}).s3 == "minio/minio:latest"
    assert images_from_env({}).python == "python:3.12-slim"
    env = {"DIND_DOCTOR_POSTGRES_IMAGE": "pg:x", "DIND_DOCTOR_S3_IMAGE": "s3:y", "DIND_DOCTOR_PYTHON_IMAGE": "py:z"}
    images = images_from_env(env)
    assert (images.postgres, images.s3, images.python) == ("pg:x", "s3:y", "py:z")
    assert images_from_env({}).airflow == "apache/airflow:2.10.3"  # the version the shipped DAG is written for
    assert images_from_env({"DIND_DOCTOR_AIRFLOW_IMAGE": "af:1"}).airflow == "af:1"


@pytest.mark.parametrize("kwargs, message", [
    ({"mode": "podman"}, "--mode"), ({"via": "cron"}, "--via"), ({"fault": "nope"}, "unknown fault"), ({"runs": 0}, "--runs"),
    ({"fault": "missing-table", "env_file": "x.env"}, "embedded"),
])
def test_bad_options_are_usage_problems(kwargs, message):
    with pytest.raises(UsageProblem, match=message):
        Options(**kwargs)
    lines: list[str] = []
    assert run_reference(echo=lines.append, **kwargs) == 2
    assert message in lines[0]


def test_masker_hides_secrets_and_url_passwords():
    mask = Masker(["s3cr3t-value"])
    mask.add_env({"LOGGER_SQL_URI": "postgresql://u:pw-in-url@db/x", "AWS_SECRET_ACCESS_KEY": "abcd1234",
                  "AWS_DEFAULT_REGION": "eu-west-3"})
    text = mask("s3cr3t-value abcd1234 pw-in-url postgres://a:other@h eu-west-3")
    assert "s3cr3t" not in text and "abcd1234" not in text and "pw-in-url" not in text and "other" not in text
    assert text.count("***(") == 4 and "eu-west-3" in text


def test_module_env_points_at_the_embedded_servers():
    creds = Credentials("dbpass", "access", "secret")
    env = module_env(creds)
    assert env["LOGGER_SQL_URI"] == "postgresql://extractor:dbpass@reference-postgres:5432/fraud_detection_2"
    assert env["AWS_ENDPOINT_URL"] == "http://reference-s3:9000"
    assert env["OUTPUT_URL"] == "s3://fraud-detection-2-bucket/data/validated.csv"
    assert ":not-dbpass@" in module_env(creds, wrong_password=True)["LOGGER_SQL_URI"]


def test_work_copy_leaves_the_users_env_behind_and_writes_an_override(tmp_path):
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / ".env").write_text("LOGGER_SQL_URI=real-secret\n")
    (tmp_path / "compose.yaml").write_text("services:\n  extractor_sql:\n    image: x\n")
    work = proj.make_work_copy(tmp_path, proj.module_compose_file(tmp_path))
    try:
        assert not work.env_path.exists()
        assert (work.outer_context / proj.OUTER_DOCKERFILE).is_file()
        proj.write_override(work, labels={"l": "v"}, build_args={"PYTHON_IMAGE": "py"}, container_name="c-1",
                            image="img:1", network="net-1", extra_hosts=None)
        override = yaml.safe_load((work.project / proj.OVERRIDE_NAME).read_text())
        service = override["services"]["extractor_sql"]
        assert service["labels"] == {"l": "v"} and service["build"]["labels"] == {"l": "v"}
        assert (service["container_name"], service["image"]) == ("c-1", "img:1")
        assert override["networks"]["default"] == {"name": "net-1", "external": True}
        env = proj.compose_env(work, "ddref-1")
        assert env["COMPOSE_FILE"] == "compose.yaml:" + proj.OVERRIDE_NAME
        assert env["COMPOSE_PROJECT_NAME"] == "ddref-1"
    finally:
        proj.remove_work_copy(work)
    assert not work.root.exists()
    assert (tmp_path / "app" / ".env").read_text() == "LOGGER_SQL_URI=real-secret\n"  # the user's, untouched


@pytest.mark.parametrize("content, message", [
    (None, "no compose file"), ("services:\n  other:\n    image: x\n", "no service 'extractor_sql'"),
    ("services: [unclosed\n", "not readable YAML"),
])
def test_a_folder_that_cannot_be_the_module_is_refused(tmp_path, content, message):
    if content is not None:
        (tmp_path / "docker-compose.yml").write_text(content)
    with pytest.raises(UsageProblem, match=message):
        proj.module_compose_file(tmp_path)


def test_the_shipped_module_is_found():
    assert proj.module_compose_file(None) == "docker-compose.yml"


def test_seed_table_is_deterministic_and_unconfirmed():
    sql = seed_sql(rows=300)
    assert sql == seed_sql(rows=300)
    rows = [line for line in sql.splitlines() if line.startswith("('")]
    assert len(rows) == 300
    assert all(line.rstrip(",;").endswith(", NULL)") for line in rows)  # fraud_confirmed NULL everywhere


def test_timeline_records_each_stage():
    lines: list[str] = []
    timeline = Timeline(lines.append)
    with timeline.stage("one") as st:
        st.note = "fine"
    with pytest.raises(RuntimeError), timeline.stage("two"):
        raise RuntimeError("boom")
    assert [s.outcome for s in timeline.stages] == ["ok", "failed"]
    assert lines[0] == "==> one" and lines[1].startswith("    ok in") and lines[1].endswith(": fine")
    summary = timeline.summary()
    assert any(line.lstrip().startswith("total (wall time)") for line in summary)
    assert summary[-2].lstrip().startswith("own stages") and summary[-1].lstrip().startswith("the steps themselves")


def test_timeline_counts_own_stages_apart_from_the_steps_and_a_background_stage_once():
    import threading

    lines: list[str] = []
    timeline = Timeline(lines.append)
    release = threading.Event()
    job = timeline.background("servers", lambda st: (release.wait(10), setattr(st, "note", "up"), 42)[2], step=True)
    with timeline.stage("build", step=True):
        release.set()
    assert timeline.join(job) == 42
    with timeline.stage("read"):
        pass
    kinds = {s.name: (s.step, s.background) for s in timeline.stages}
    assert kinds["servers"] == (True, True) and kinds["build"] == (True, False) and kinds["read"] == (False, False)
    assert any(line == "==> servers (in the background)" for line in lines)
    assert any(line.startswith("    servers: ok in") and line.endswith(": up") for line in lines)
    own = next(line for line in timeline.summary() if line.lstrip().startswith("own stages"))
    assert float(own.split()[2]) == pytest.approx(timeline.stages[-1].seconds, abs=0.05)


def test_a_background_stage_error_is_raised_by_join():
    timeline = Timeline(lambda line: None)

    def fail(st):
        raise RuntimeError("server stopped")

    job = timeline.background("servers", fail)
    with pytest.raises(RuntimeError, match="server stopped"):
        timeline.join(job)
    assert timeline.stages[0].outcome == "failed"


def test_the_shipped_dag_follows_the_recommended_pattern():
    """The DAG the airflow path ships: the airflow-* preflight checks' own rules, read in the file."""
    from dind_doctor.reference.airflow_run import shipped_dag
    from dind_doctor.reference.project import shipped_module

    text = shipped_dag(shipped_module()).read_text(encoding="utf-8")
    assert 'auto_remove="success"' in text and "mount_tmp_dir=False" in text
    assert "private_environment=" in text
    assert "Mount(" not in text and "env_file" not in text.split('"""', 2)[2]  # no volume, no .env at parse
