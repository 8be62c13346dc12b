"""The engine layer's pure parts: the docker-py error adapter, the per-run registry, owner labels, the
CLI's refusal of non-finite timeouts, the port probe's whole-probe bound, crash evidence, levels' verdict."""
from __future__ import annotations

import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from dind_doctor.check import Check
from dind_doctor.cli import cli
from dind_doctor.context import Context
from dind_doctor.engine.cleanup import remove_paths
from dind_doctor.engine.errors import (EngineUnavailable, ProbeError, RunClosed, UnexpectedAnswer, as_dict, as_list,
                                       daemon_reason, engine_unreachable, is_not_found, status_code)
from dind_doctor.engine.resources import RunResources
from dind_doctor.errors import DindDoctorError
from dind_doctor.labels import OWNER_PID, Owner, current_owner, is_dead, labels
from dind_doctor.levels.matrix import NOT_APPLICABLE, SEEN, UNKNOWN, Cell, Row, unobserved
from dind_doctor.model import Status
from dind_doctor.runner import run_checks


# -- the adapter: by type and status code, on errors docker-py really raises ------------------------------
def _real_error(base_url: str) -> Exception:
    import docker

    try:
        docker.APIClient(base_url=base_url, version="1.41", timeout=1).ping()
    except Exception as exc:
        return exc
    raise AssertionError("no error")


def test_a_missing_socket_is_said_by_type_not_by_message(tmp_path: Path):
    exc = _real_error(f"unix://{tmp_path}/none.sock")
    assert "is not there" in daemon_reason(exc)
    assert "is not there" in engine_unreachable(exc, "unix:///x") and "unix:///x" in engine_unreachable(exc, "unix:///x")


def test_a_daemon_that_never_answers_is_a_timeout(tmp_path: Path):
    path = str(tmp_path / "silent.sock")
    server = socket.socket(socket.AF_UNIX)
    server.bind(path)
    server.listen(4)  # accepts (in the backlog), never answers
    try:
        assert "did not answer in time" in daemon_reason(_real_error(f"unix://{path}"))
    finally:
        server.close()


def test_http_errors_keep_the_daemons_words_and_404_is_not_found():
    import docker.errors
    import requests

    response = requests.Response()
    response.status_code = 404
    exc = docker.errors.NotFound("404 Client Error", response=response, explanation="no such volume: v")
    assert is_not_found(exc) and status_code(exc) == 404 and daemon_reason(exc) == "no such volume: v"
    response = requests.Response()
    response.status_code = 500
    exc = docker.errors.APIError("500 Server Error", response=response, explanation="driver failed")
    assert not is_not_found(exc) and daemon_reason(exc) == "the daemon failed (500): driver failed"
    # The message text no longer decides: a 404 worded as a timeout is still a 404.
    response = requests.Response()
    response.status_code = 404
    assert is_not_found(docker.errors.APIError("timed out", response=response))


def test_unexpected_shapes_become_unexpected_answers_not_attribute_errors():
    with pytest.raises(UnexpectedAnswer, match="inspect volume v is not a JSON object"):
        as_dict(["not", "a", "dict"], "inspect volume v")
    with pytest.raises(UnexpectedAnswer, match="is not a JSON list"):
        as_list({"a": 1}, "list containers")
    assert "not what its API documents" in daemon_reason(KeyError("Id"))


def test_every_error_of_the_tool_shares_one_base():
    from dind_doctor.endpoint import EndpointError
    from dind_doctor.engine.sync import SyncError
    from dind_doctor.levels.walk import WalkError
    from dind_doctor.reference.options import UsageProblem
    from dind_doctor.reference.timeline import StageFailed

    for cls in (EngineUnavailable, ProbeError, RunClosed, UnexpectedAnswer, SyncError, WalkError, UsageProblem,
                StageFailed, EndpointError):
        assert issubclass(cls, DindDoctorError), cls


# -- the registry ---------------------------------------------------------------------------------------
def test_a_closed_registry_refuses_new_creations_and_remembers_interrupted_ones(tmp_path: Path):
    res = RunResources("abc123")
    with pytest.raises(KeyboardInterrupt):
        with res.creating("container", res.name("probe")) as name:
            raise KeyboardInterrupt  # Ctrl-C lands mid-create
    assert ("container", name) in res.uncertain and name in res.registered["container"]
    assert name.startswith("dind-doctor-abc123-probe-")
    res.close(wait=0)
    with pytest.raises(RunClosed):
        with res.creating("container", res.name("probe")):
            raise AssertionError("must not be reached")
    with pytest.raises(RunClosed):
        res.sub_folder(tmp_path)
    assert not list(tmp_path.iterdir())


def test_close_waits_for_a_create_in_flight():
    res = RunResources("r1")
    entered, release = threading.Event(), threading.Event()

    def creator() -> None:
        with res.creating("volume", "dind-doctor-r1-v"):
            entered.set()
            release.wait(5)

    thread = threading.Thread(target=creator)
    thread.start()
    entered.wait(5)
    closer = threading.Thread(target=res.close, kwargs={"wait": 10})
    closer.start()
    closer.join(0.2)
    assert closer.is_alive()  # still waiting for the create to return
    release.set()
    closer.join(5)
    thread.join(5)
    assert not closer.is_alive() and res.closed


def test_registered_paths_are_removed_and_only_those(tmp_path: Path, monkeypatch):
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    project = tmp_path / "project"
    project.mkdir()
    (project / "keep.txt").write_text("mine")
    res = RunResources("run42")
    inside = res.sub_folder(project)
    (inside / "sentinel").write_text("x")
    temp = res.temp_dir("env-probe")
    (temp / "compose.yaml").write_text("{}")
    assert inside.parent == project and "run42" in inside.name and temp.parent == tmp_path / "tmp"
    assert remove_paths(res) == []
    assert [p.name for p in project.iterdir()] == ["keep.txt"] and not temp.exists()


# -- owners ---------------------------------------------------------------------------------------------
def test_owner_labels_tell_a_dead_run_from_a_live_one():
    me = current_owner()
    assert labels("probe", "r")[OWNER_PID] == str(me.pid)
    assert Owner.from_labels(labels("probe", "r")) == me
    assert not is_dead(me)
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    gone = Owner(me.host, child.pid, time.time())
    assert is_dead(gone)
    assert not is_dead(Owner("another-host/boot/pid:[1]", child.pid, 0.0))  # cannot tell: never swept
    assert is_dead(Owner(me.host, me.pid, me.started - 3600))  # the pid was reused by a later process
    assert Owner.from_labels({"io.dind-doctor.run": "old"}) is None  # an older dind-doctor: never swept


# -- the command line -----------------------------------------------------------------------------------
@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "-1", "0"])
@pytest.mark.parametrize("command", [["check"], ["levels"], ["translate", "."], ["sync-volume", "v", "."]])
def test_a_timeout_that_is_not_a_finite_positive_number_is_a_usage_error(command, value):
    result = CliRunner().invoke(cli, [*command, "--timeout", value])
    assert result.exit_code == 2, result.output
    assert "--timeout" in result.output and "Traceback" not in result.output


def test_levels_wait_refuses_nan():
    result = CliRunner().invoke(cli, ["levels", "--wait", "nan"])
    assert result.exit_code == 2 and "--wait" in result.output


# -- port-2375: the whole probe is bounded, not each read ------------------------------------------------
def test_a_trickling_listener_cannot_hold_the_probe_past_its_timeout():
    from checks.port_2375 import probe_ping

    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    port = server.getsockname()[1]
    sent: list[int] = []

    def trickle() -> None:
        conn, _ = server.accept()
        conn.recv(1024)
        try:
            for _ in range(400):  # 400 bytes, one each 50 ms: 20 s if the client kept reading
                conn.sendall(b"H")
                sent.append(1)
                time.sleep(0.05)
        except OSError:
            pass  # the client gave up: what we want
        conn.close()

    thread = threading.Thread(target=trickle, daemon=True)
    thread.start()
    answer = probe_ping("127.0.0.1", port, timeout=0.5)
    server.close()
    thread.join(10)
    assert answer is not None and "no complete answer within 0.5 s" in answer
    assert len(sent) < 100  # it stopped long before the listener ran out of bytes


def test_the_port_check_looks_at_an_injected_port(tmp_path: Path):
    from checks.port_2375 import Port2375

    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)

    class OnEphemeral(Port2375):
        port = server.getsockname()[1]

    ctx = Context(project=tmp_path, shell="bash", env={"DOCKER_HOST": f"unix://{tmp_path}/none.sock"}, timeout=0.3)
    try:
        findings = OnEphemeral().run(ctx)
    finally:
        server.close()
    [mine] = [f for f in findings if f.evidence.get("address", "").endswith(f":{OnEphemeral.port}")]
    assert mine.status is Status.OK and "not an open Docker API" in mine.summary
    assert "does not answer" in mine.evidence["/_ping"]


# -- crashes keep their traceback under --verbose -------------------------------------------------------
class Crashy(Check):
    id = "crashy"
    title = "crashes"

    def run(self, ctx):
        raise AttributeError("'list' object has no attribute 'get'")


class Refused(Check):
    id = "refused"
    title = "a probe refused"

    def run(self, ctx):
        raise ProbeError("the daemon's answer to inspect volume v is not a JSON object")


@pytest.mark.parametrize("verbose", [False, True])
def test_an_error_finding_keeps_the_traceback_only_under_verbose(tmp_path: Path, verbose: bool):
    ctx = Context(project=tmp_path, shell="bash", env={"DOCKER_HOST": f"unix://{tmp_path}/none.sock"}, timeout=0.3,
                  verbose=verbose)
    crash, refused = run_checks(ctx, [Crashy, Refused])
    assert crash.status is Status.ERROR and "AttributeError" in crash.summary
    assert refused.summary == "the check could not finish: the daemon's answer to inspect volume v is not a JSON object"
    if verbose:
        assert "Traceback" in crash.evidence["traceback"] and "raise AttributeError" in crash.evidence["traceback"]
    else:
        assert "traceback" not in crash.evidence


# -- levels: a walk that never reached the module is not a pass -----------------------------------------
def test_a_matrix_whose_module_column_is_all_unknown_is_unobserved():
    unknown = {"host": Cell(SEEN), "module": Cell(UNKNOWN, "the outer stand-in stopped (exit 137)")}
    rows = [Row("sentinel", "s", dict(unknown)), Row("volume:v", "v", {"host": Cell(SEEN), "module": Cell(UNKNOWN)}),
            Row("env-file", ".env", {"host": Cell(SEEN), "module": Cell(NOT_APPLICABLE)})]
    assert unobserved(rows) == "the outer stand-in stopped (exit 137)"
    rows.append(Row("var:A", "A", {"host": Cell(SEEN), "module": Cell(SEEN)}))
    assert unobserved(rows) is None


def test_folders_of_dead_runs_are_swept_where_a_new_run_writes(tmp_path: Path):
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    me = current_owner()
    dead_owner = Owner(me.host, child.pid, time.time())
    other_host = Owner("elsewhere/boot/pid:[1]", child.pid, time.time())
    dead, live, foreign, untagged = (tmp_path / f".dind-doctor-r1-probe-1-{dead_owner.token()}",
                                     tmp_path / f".dind-doctor-r2-probe-1-{me.token()}",
                                     tmp_path / f".dind-doctor-r3-probe-1-{other_host.token()}",
                                     tmp_path / ".dind-doctor-sentinel-old")
    for folder in (dead, live, foreign, untagged):
        folder.mkdir()
    assert Owner.from_token(dead_owner.token()) is not None
    res = RunResources("new")
    mine = res.sub_folder(tmp_path)
    assert not dead.exists() and live.exists() and foreign.exists() and untagged.exists() and mine.exists()
    assert len(res.swept) == 1 and f"pid {child.pid}" in res.swept[0]
    assert Owner.from_token(mine.name.rsplit("-", 1)[-1]) == Owner(me.host, me.pid, int(me.started * 100) / 100)


def test_a_name_a_child_creates_is_awaited_until_the_child_ends():
    res = RunResources("c1")
    name = res.register("container", res.name("env-probe"), by_child=True)
    assert ("container", name) in res.uncertain and name in res.registered["container"]
    res.settled("container", name)
    assert ("container", name) not in res.uncertain and name in res.registered["container"]
    res.close(wait=0)
    with pytest.raises(RunClosed):
        res.register("project", "dind-doctor-c1")
