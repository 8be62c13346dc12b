"""The first three checks, run for real at three nesting levels and against broken daemons."""
from __future__ import annotations

import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from support import doctor, ended_runs_leftovers, exec_json, findings_of, run_container, start_inner_dockerd

SOCK = "/var/run/docker.sock"


def statuses(report: dict, check: str) -> list[str]:
    return [f["status"] for f in findings_of(report, check)]


def test_on_the_host(docker_client, tmp_path):
    result = doctor("check", "--project", str(tmp_path), "--format", "json")
    report = json.loads(result.stdout)
    assert report["level"] == "host"
    assert statuses(report, "docker-socket") == ["ok"]
    assert findings_of(report, "docker-socket")[0]["evidence"]["API version"]
    assert statuses(report, "port-2375") == ["ok"]
    level = findings_of(report, "nesting-level")
    assert level[0]["status"] == "ok" and level[0]["summary"].startswith("level host")
    # This engine refuses --privileged (capability bounding set): the doctor must say so, with the workaround.
    privileged = level[1]
    assert privileged["status"] == "warn" and "privileged containers cannot start" in privileged["summary"]
    assert any("--cap-drop=SYS_RESOURCE" in fx["text"] for fx in privileged["fixes"])
    assert result.returncode == 0, result.stdout
    assert not ended_runs_leftovers(docker_client, "probe")


def test_inside_a_socket_mounted_container_is_dood(docker_client, doctor_image):
    outer = run_container(docker_client, doctor_image, ["sleep", "600"],
                          volumes={SOCK: {"bind": SOCK, "mode": "rw"}})
    code, report = exec_json(outer, ["dind-doctor", "check", "--format", "json"])
    assert report["level"] == "dood", report
    level = findings_of(report, "nesting-level")[0]
    assert level["status"] == "ok" and outer.id[:12] in level["evidence"]["daemon knows this container"]
    assert statuses(report, "docker-socket") == ["ok"]
    assert "port-2375" in {f["check"] for f in report["findings"]}
    assert code == 0


def test_inside_a_container_running_its_own_dockerd_is_dind(docker_client, doctor_image):
    inner = start_inner_dockerd(docker_client, doctor_image)
    code, report = exec_json(inner, ["dind-doctor", "check", "--format", "json"])
    assert report["level"] == "dind", report
    level = findings_of(report, "nesting-level")[0]
    assert "a dockerd runs in this container" in level["summary"]
    assert level["evidence"]["daemon knows this container"] == "no"
    assert statuses(report, "docker-socket") == ["ok"]


def test_socket_without_permission_for_a_non_root_user(docker_client, doctor_image):
    outer = run_container(docker_client, doctor_image, ["sleep", "600"],
                          volumes={SOCK: {"bind": SOCK, "mode": "rw"}})
    code, report = exec_json(outer, ["dind-doctor", "check", "docker-socket", "--format", "json"],
                             user="1000:1000")
    [finding] = findings_of(report, "docker-socket")
    assert finding["status"] == "fail" and finding["summary"].startswith("permission denied")
    assert any("--group-add" in fx["text"] for fx in finding["fixes"])
    assert code == 1


def test_socket_not_mounted_in_a_container(docker_client, doctor_image):
    outer = run_container(docker_client, doctor_image, ["sleep", "600"])
    code, report = exec_json(outer, ["dind-doctor", "check", "docker-socket", "--format", "json"])
    [finding] = findings_of(report, "docker-socket")
    assert finding["status"] == "fail" and "was not mounted" in finding["summary"]
    assert any("-v /var/run/docker.sock:/var/run/docker.sock" in fx["text"] for fx in finding["fixes"])
    assert report["level"] == "container" and code == 1


def test_daemon_down(docker_client, tmp_path):
    result = doctor("check", "--project", str(tmp_path), "--format", "json",
                    env={"DOCKER_HOST": f"unix://{tmp_path}/docker.sock"})
    report = json.loads(result.stdout)
    [finding] = findings_of(report, "docker-socket")
    assert finding["status"] == "fail" and "does not exist" in finding["summary"]
    assert result.returncode == 1 and "Traceback" not in result.stderr


def test_hanging_daemon_times_out(docker_client, tmp_path):
    """A socket that accepts and never answers: every call is bounded by --timeout."""
    path = tmp_path / "hang.sock"
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(str(path))
    server.listen(16)
    held = []
    stop = threading.Event()

    def accept():
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except OSError:
                pass

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        started = time.monotonic()
        result = doctor("check", "--project", str(tmp_path), "--format", "json", "--timeout", "1",
                        env={"DOCKER_HOST": f"unix://{path}"})
        elapsed = time.monotonic() - started
    finally:
        stop.set()
        thread.join()
        server.close()
    report = json.loads(result.stdout)
    [finding] = findings_of(report, "docker-socket")
    assert finding["status"] == "fail" and "did not answer in time" in finding["summary"]
    assert result.returncode == 1 and elapsed < 15


class FakeDockerAPI(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 - http.server's naming
        body = b"OK" if self.path == "/_ping" else b"{}"
        self.send_response(200)
        self.send_header("Api-Version", "1.41")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_unauthenticated_listener_on_all_interfaces_fails(docker_client, tmp_path):
    try:
        server = HTTPServer(("0.0.0.0", 2375), FakeDockerAPI)
    except OSError as exc:
        pytest.fail(f"port 2375 is taken on this machine: {exc}")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        result = doctor("check", "port-2375", "--project", str(tmp_path), "--format", "json")
    finally:
        server.shutdown()
        server.server_close()
    report = json.loads(result.stdout)
    [finding] = findings_of(report, "port-2375")
    assert finding["status"] == "fail" and "0.0.0.0:2375" in finding["summary"]
    assert finding["evidence"]["/_ping"] == "OK" and "python" in finding["evidence"]["process"]
    assert result.returncode == 1
