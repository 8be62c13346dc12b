"""run-reference end to end on the real engine: real compose, real PostgreSQL, real S3-compatible server.

Each test reads its run id from the first output line and asserts that nothing carrying it is left.
"""
from __future__ import annotations

import re

import pytest

from dind_doctor.reference import run_reference
from support import leftovers

@pytest.fixture(scope="module")
def reference_env(docker_client):
    """The engine, with the image overrides conftest points at the offline stand-ins."""
    return docker_client


class Output:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def __call__(self, line: str) -> None:
        self.lines.append(line)
        print(line)

    @property
    def text(self) -> str:
        return "\n".join(self.lines)

    @property
    def run_id(self) -> str:
        return re.match(r"run-reference (\w+):", self.lines[0]).group(1)


def rows(out: Output) -> list[tuple[int, int]]:
    return [(int(a), int(b)) for a, b in re.findall(r"rows (\d+) -> (\d+)", out.text)]


def test_dood_twice_in_a_row_each_run_adds_one_row(reference_env):
    first = Output()
    assert run_reference(echo=first, runs=2) == 0, first.text
    n = rows(first)[0][0]
    assert rows(first) == [(n, n + 1), (n + 1, n + 2)]
    assert "docker compose up --exit-code-from extractor_sql" in first.text
    assert "every module container exited" in first.text
    assert leftovers(reference_env, first.run_id) == []

    second = Output()
    assert run_reference(echo=second) == 0, second.text
    assert len(rows(second)) == 1 and rows(second)[0][1] == rows(second)[0][0] + 1
    assert second.run_id != first.run_id
    assert leftovers(reference_env, second.run_id) == []


def test_dind_runs_its_own_daemon(reference_env):
    out = Output()
    assert run_reference(echo=out, mode="dind") == 0, out.text
    assert "inner daemon ready" in out.text
    # This machine refuses --privileged: the run says so and uses the capability workaround.
    if "refused --privileged" in out.text:
        assert "--cap-drop=SYS_RESOURCE" in out.text
    assert len(rows(out)) == 1
    assert leftovers(reference_env, out.run_id) == []


@pytest.mark.parametrize("fault, code, message", [
    ("missing-table", 3, "table fraud_detection_2_table does not exist"),
    ("wrong-password", 4, "password authentication failed"),
])
def test_a_failing_module_gives_its_exit_code_and_its_error(reference_env, fault, code, message):
    out = Output()
    assert run_reference(echo=out, fault=fault) == code, out.text
    assert message in out.text  # the module's own error, relayed from `docker compose up`
    assert f"the module exited with code {code}" in out.text
    assert leftovers(reference_env, out.run_id) == []


def test_secrets_never_printed(reference_env, monkeypatch):
    from secret_plants import leaks

    from dind_doctor.reference import run as reference_run
    from dind_doctor.reference.servers import Credentials

    planted = Credentials("S3cr3t-planted-db-XYZ", "S3cr3tPlantedAccessXYZ", "S3cr3t-planted-s3-XYZ")
    monkeypatch.setattr(reference_run.Credentials, "generate", classmethod(lambda cls: planted))
    out = Output()
    assert run_reference(echo=out, fault="wrong-password") == 4
    # The generated .env is the only place the credentials live; the URL's password is masked everywhere.
    assert not re.search(r"postgresql://extractor:(?!\*\*\*)[^@\s]+@", out.text)
    assert leaks(out.text) == []  # the module's own error output included (it names the failed login)


def test_interrupt_cleans_up(reference_env):
    class Interrupting(Output):
        fired = False

        def __call__(self, line: str) -> None:
            super().__call__(line)
            if not self.fired and line.startswith("==> docker compose up"):
                self.fired = True
                raise KeyboardInterrupt  # what Ctrl-C raises, at the moment the module is about to run

    out = Interrupting()
    assert run_reference(echo=out) == 130
    assert "interrupted" in out.text
    assert leftovers(reference_env, out.run_id) == []


def test_bad_input_is_a_message_not_a_traceback(tmp_path):
    out = Output()
    assert run_reference(echo=out, env_file=tmp_path / "missing.env") == 2
    assert "is not a file" in out.text
    (tmp_path / "x.env").write_text("AWS_ACCESS_KEY_ID=x\n")
    out = Output()
    assert run_reference(echo=out, env_file=tmp_path / "x.env") == 2
    assert "LOGGER_SQL_URI" in out.text
    out = Output()
    assert run_reference(echo=out, mode="podman") == 2
    assert "Traceback" not in out.text
