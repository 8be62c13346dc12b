"""The masking boundary itself: what it hides, what it leaves readable, and the shapes evidence shows."""
from __future__ import annotations

from pathlib import Path

import pytest

from dind_doctor.evidence_shapes import command_shape, line_shape, quoted_shape, value_shape
from dind_doctor.masking import Masker
from dind_doctor.secret_rules import is_ordinary, mask_url
from dind_doctor.model import Finding, Fix, Location, Status
from dind_doctor.runner import masked


def test_known_values_are_masked_everywhere_in_a_finding():
    mask = Masker(["S3cr3t-planted-unit-XYZ"])
    f = Finding("x", Status.FAIL, "summary S3cr3t-planted-unit-XYZ", detail="detail S3cr3t-planted-unit-XYZ",
                location=Location("dir/S3cr3t-planted-unit-XYZ.env", 3),
                fixes=(Fix("bash", "export A=S3cr3t-planted-unit-XYZ"),),
                evidence={"S3cr3t-planted-unit-XYZ": ["a", {"deep": ("S3cr3t-planted-unit-XYZ", 5, None, True)}],
                          "path": Path("/p/S3cr3t-planted-unit-XYZ"), "n": 7})
    out = mask.finding(f)
    assert "S3cr3t" not in repr(out)
    assert out.summary == "summary ***(23)" and out.location == Location("dir/***(23).env", 3)
    assert out.evidence["***(23)"][1]["deep"] == ["***(23)", 5, None, True] and out.evidence["n"] == 7
    assert out.evidence["path"] == "/p/***(23)" and out.fixes[0].text == "export A=***(23)"


def test_overlapping_secrets_leave_no_character_of_either():
    mask = Masker(["aB3deF", "deF5hi"])
    assert mask("xx aB3deF5hi yy") == "xx ***(9) yy"
    assert mask("aB3deF-deF5hi") == "***(6)-***(6)"


def test_the_longest_known_value_wins():
    mask = Masker(["pass", "password-long"])
    assert mask("password-long") == "***(13)"


def test_url_userinfo_is_masked_whole_and_a_user_alone_is_kept():
    assert mask_url("tcp://user:password@host:2375") == "tcp://***(13)@host:2375"
    assert mask_url("ssh://deploy@host") == "ssh://deploy@host"
    assert mask_url("https://ghp_abcdefghijklmnopqrstuvwxyz0123@github.com/x") == "https://***(34)@github.com/x"
    mask = Masker()
    mask.add_userinfo("DOCKER_HOST=tcp://user:S3cr3t-pw@host:2375")
    assert mask("the password was S3cr3t-pw") == "the password was ***(9)"


def test_credential_shapes_are_masked_without_being_known():
    mask = Masker()
    for secret in ("AKIAIOSFODNN7EXAMPLE", "sk_live_4eC39HqLyjWDarjtT1zdp7dc", "ghp_R2D2C3POabcdefghijklmnop1234",
                   "xoxb-123456789-abcdefghijk", "MIIEpAIBAAKCAQEA3Tz2mr7SZiAMfQyuvBjM",
                   "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
                   "0123456789abcdef0123456789abcdef", "kX9v2QpL7rT4mN8bZ1cY/Hf3Jd6Ws0Ae5Gu2Ri9O"):
        out = mask(f"value: {secret}.")
        assert secret not in out and out == f"value: ***({len(secret)})."
    pem = "-----BEGIN RSA PRIVATE KEY-----\nMIIEabc\nxyz\n-----END RSA PRIVATE KEY-----\nafter"
    assert mask(pem) == f"***({len(pem) - 6})\nafter"


def test_ordinary_words_are_not_masked():
    mask = Masker(["abc", "true"])  # too short or plain: never collected
    mask.add_env({"PORT": "5432", "DEBUG": "false", "REGION": "eu-west-3", "IMAGE": "python:3.12-slim",
                  "DIR": "/opt/airflow/dags", "LEVEL": "INFO", "URL": "http://s3:9000", "REF": "${HOME}"})
    text = ("line 1: 5432 true abc eu-west-3 python:3.12-slim /opt/airflow/dags INFO http://s3:9000 ${HOME} "
            "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855 run a1b2c3d4e5f6 "
            "/Users/JohnDoe/AppData/Local/Programs/Python/Python312/Lib/site-packages "
            "test_backtick_continuation_fixes_trailing_whitespace "
            "tests/fixtures/airflow_chapter/01_dag_extract_sql/Dockerfile Users/JohnDoe/AppData/Python312/Lib")
    assert mask(text) == text
    assert all(is_ordinary(v) for v in ("no", "on", "30s", "8080:80", "C:\\Users\\me", "$env:X", "%TOKEN%"))
    assert not any(is_ordinary(v) for v in ("S3cr3t-planted", "hunter2!", "Pa55word", "k3j4h5g6f7d8s9a0q1w2"))


def test_secret_names_mask_any_value_and_other_names_only_unusual_ones():
    mask = Masker()
    mask.add_env({"DB_PASSWORD": "postgres", "API_TOKEN": "12345678", "APP_NAME": "Mixed Case App", "USER": "admin",
                  "APP_KEY": "Mixed Case Key", "BUILD": "b8Xq-2kz9"})
    assert mask("postgres 12345678 Mixed Case App admin Mixed Case Key b8Xq-2kz9") == \
        "***(8) ***(8) Mixed Case App admin ***(14) ***(9)"
    mask.add_env({"WORK": "$(mktemp -d)", "S3_PASSWORD": "${MINIO_ROOT_PASSWORD:-minio-S3cr3t}"})
    assert mask("$(mktemp -d) minio-S3cr3t") == "$(mktemp -d) ***(12)"
    mask.add_env({"SSH_AUTH_SOCK": "/tmp/ssh-x/agent.12", "KEY_FILE": "/run/secrets/key", "API_KEY": "/S3cr3t"})
    assert mask("/tmp/ssh-x/agent.12 /run/secrets/key /S3cr3t") == "/tmp/ssh-x/agent.12 /run/secrets/key ***(7)"


def test_plain_words_under_ordinary_names_never_mask_the_report():
    # /etc/init.d/docker holds DOCKER_DESC="Docker": masked as a value, every "DockerOperator",
    # "Dockerfile" and "Docker API" of a report run from a container's root read "***(6)...".
    mask = Masker()
    mask.add_env({"DOCKER_DESC": "Docker", "TITLE": "Extractor-SQL Module"})
    text = "no DockerOperator in the project; Dockerfile; Docker API; Extractor-SQL Module"
    assert mask(text) == text


@pytest.mark.parametrize("n", [3, 5000])
def test_many_or_long_secrets_are_masked_with_one_index(n):
    """Few values are searched for one by one, many through one prefix index built once (a scan of the
    text, one look-up per position, whatever the number of values); a 10,000-character value too."""
    mask = Masker([f"secret-value-{i:05d}" for i in range(n)] + ["A" + "b1" * 5000])
    text = " ".join(f"secret-value-{i:05d}" for i in range(0, n, max(1, n // 100))) + " A" + "b1" * 5000 + " end"
    out = mask(text)
    assert "secret-value" not in out and out.endswith(" ***(10001) end")
    index = mask._lookup()
    mask(text)
    assert mask._lookup() is index and len(index) == len({v[:4] for v in mask._values | mask._words})


def test_value_and_line_shapes_show_no_value():
    assert value_shape("hunter2") == "***(7)" and value_shape("pw\r") == "***(3)␍"
    assert value_shape("") == "(empty)" and value_shape(None) == "(no value)"
    assert line_shape("AWS_SECRET_ACCESS_KEY=S3cr3t\r") == "AWS_SECRET_ACCESS_KEY=***(6)␍"
    assert line_shape("\ufeffexport KEY = two words") == "[BOM]export KEY = ***(9)"
    assert line_shape("ENV DB_PASSWORD S3cr3t") == "ENV DB_PASSWORD ***(6)"
    assert line_shape("  PASSWORD: S3cr3t\r") == "  PASSWORD: ***(6)␍"
    assert line_shape("MIIEpAIBAAKCAQEA3Tz2mr7SZiAMfQ+/=") == "(33 chars, not KEY=VALUE)"
    assert line_shape("#!/bin/sh\r") == "#!/bin/sh␍"


def test_command_shape_keeps_keys_and_drops_values():
    line = 'docker run -e DB_PASSWORD=S3cr3t -e "X=a b" --env=Y=zzzz -e K=$K -v "$(pwd):/app" `  '
    assert command_shape(line) == ('docker run -e DB_PASSWORD=***(6) -e "X=***(3)" --env=Y=***(4) -e K=$K '
                                   '-v "$(pwd):/app" `  ')
    assert command_shape('$env:TOKEN = "S3cr3t"; FOO=bar ./run.sh') == '$env:TOKEN = "***(6)"; FOO=***(3) ./run.sh'


def test_quoted_shape_hides_what_a_tool_quotes():
    text = 'line 3: unexpected character "+" in variable name "MIIEpAIBAAKCAQEA3Tz2mr7SZiAMfQyuvBjM"'
    assert quoted_shape(text) == 'line 3: unexpected character "+" in variable name "***(36)"'


def test_the_runner_masks_every_finding_with_the_run_masker(tmp_path):
    from dind_doctor.context import Context

    (tmp_path / ".env").write_text("LOGGER=S3cr3t-planted-runner-XYZ\n")
    ctx = Context(project=tmp_path, shell="bash", env={"GITHUB_TOKEN": "S3cr3t-planted-env-XYZ"})
    out = masked(ctx, [Finding("x", Status.OK, "S3cr3t-planted-runner-XYZ S3cr3t-planted-env-XYZ")])
    assert out[0].summary == "***(25) ***(22)"


def test_fields_added_to_findings_are_masked_too():
    from dind_doctor.model import Suppression

    mask = Masker(["S3cr3t-planted-reason-XYZ"])
    f = Finding("x", Status.WARN, "s", suppression=Suppression("because S3cr3t-planted-reason-XYZ", "run.ps1:3"),
                fingerprint="abc")
    out = mask.finding(f)
    assert out.suppression.reason == "because ***(25)" and out.status is Status.WARN and out.fingerprint == "abc"


def test_the_check_id_is_never_masked():
    """Airflow's stock compose file sets POSTGRES_PASSWORD: airflow; the airflow-* check ids stay readable."""
    out = Masker(["airflow"]).finding(Finding("airflow-dags", Status.OK, "airflow-dags read as airflow"))
    assert out.check == "airflow-dags" and out.summary == "airflow-dags read as ***(7)"


def test_a_secret_that_reads_like_a_word_is_masked_where_it_stands_alone():
    """`POSTGRES_PASSWORD: airflow` (the Airflow compose file's default): `airflow` alone is masked, the
    names that hold it (airflow-webserver, apache-airflow-providers-docker, dags/airflow_x.py) are not."""
    mask = Masker()
    mask.add_env({"POSTGRES_PASSWORD": "airflow", "DB_URL": "postgresql://airflow:airflow@postgres/airflow"})
    text = ("password=airflow 'airflow' user airflow; airflow-webserver apache-airflow-providers-docker "
            "tests/airflow_chapter/x.py postgres:16 airflow.cfg postgresql://airflow:airflow@postgres/db")
    assert mask(text) == ("password=***(7) '***(7)' user ***(7); airflow-webserver apache-airflow-providers-docker "
                          "tests/airflow_chapter/x.py postgres:16 airflow.cfg postgresql://***(15)@postgres/db")


def test_fixed_vocabulary_fields_are_never_masked():
    f = Finding("airflow-dags", Status.FAIL, "bash airflow", fixes=(Fix("bash", "run bash"),), fingerprint="abcd" * 6)
    out = Masker(["bash", "airflow", "abcd" * 6]).finding(f)
    assert (out.check, out.fixes[0].shell, out.fingerprint) == ("airflow-dags", "bash", "abcd" * 6)
    assert out.summary == "***(4) ***(7)" and out.fixes[0].text == "run ***(4)"


def test_secret_names():
    from dind_doctor.secret_rules import is_secret_name

    assert all(is_secret_name(n) for n in ("DB_PASSWORD", "api_key", "GITHUB_TOKEN", "DB_PW", "PWD_ADMIN",
                                           "MINIO_ROOT_PASSWORD", "AWS_SECRET_ACCESS_KEY", "private_environment"))
    assert not any(is_secret_name(n) for n in ("PWD", "OLDPWD", "PATH", "HOSTNAME", "DB_USER", "POWER"))
