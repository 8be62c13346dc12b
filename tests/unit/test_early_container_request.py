"""The raw path of the early probe container, without a daemon: the create request is the one docker-py
would send (its own create path is run up to the wire and compared), and the stdlib client reads answers
and errors as docker-py does, against a local unix-socket HTTP server."""
from __future__ import annotations

import json
import socket
import socketserver
import sys
import threading
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest

from dind_doctor.engine.early_container import create_body, key
from dind_doctor.engine.errors import daemon_reason
from dind_doctor.engine.unix_http import UnixHTTPError, call

pytestmark = pytest.mark.skipif(not hasattr(socket, "AF_UNIX") or sys.platform == "win32", reason="unix sockets")

LABELS = {"io.dind-doctor.created-by": "probe", "io.dind-doctor.run": "0123456789ab"}


class _Sent(Exception):
    """Raised by the patched transport once docker-py handed over its request."""


def docker_py_request(monkeypatch: pytest.MonkeyPatch, image: str, command: list[str],
                      **options: Any) -> tuple[str, dict, dict]:
    """(url, params, JSON body) of docker-py's own containers.create for these arguments, caught at the
    transport: everything docker-py does to the arguments (ContainerConfig, HostConfig, dropping nulls) ran."""
    import docker
    from docker.api.client import APIClient

    seen: dict[str, Any] = {}

    def post(self: APIClient, url: str, **kwargs: Any) -> None:
        seen.update(url=url, params=kwargs.get("params"), data=kwargs.get("data"))
        raise _Sent

    monkeypatch.setattr(APIClient, "_post", post)
    client = docker.DockerClient(base_url="unix:///nonexistent.sock", version="1.41")
    with pytest.raises(_Sent):
        client.containers.create(image, command, name="dind-doctor-0123456789ab-probe-1", labels=dict(LABELS),
                                 detach=True, **options)
    return seen["url"], seen["params"], json.loads(seen["data"])


@pytest.mark.parametrize("options", [{"privileged": True, "network_mode": "none"}, {}, {"network_mode": "none"}])
def test_the_create_body_is_docker_pys(monkeypatch, options):
    url, params, body = docker_py_request(monkeypatch, "dind-doctor/busybox:offline", ["true"], **options)
    assert url.endswith("/containers/create")
    assert params == {"name": "dind-doctor-0123456789ab-probe-1"}
    assert create_body("dind-doctor/busybox:offline", ["true"], LABELS, **options) == body


def test_the_privileged_probe_body_says_privileged_without_network():
    body = create_body("busybox", ["true"], LABELS, privileged=True, network_mode="none")
    assert body["HostConfig"] == {"Privileged": True, "NetworkMode": "none"}
    assert body["Labels"] == LABELS and body["Cmd"] == ["true"] and body["Image"] == "busybox"


def test_one_key_per_probe_arguments():
    privileged = key(None, ["true"], "probe", {"privileged": True, "network_mode": "none"})
    assert privileged == key(None, ["true"], "probe", {"network_mode": "none", "privileged": True})
    assert privileged != key(None, ["true"], "probe", {"network_mode": "none"})
    assert privileged != key("other:1", ["true"], "probe", {"privileged": True, "network_mode": "none"})


# -- the stdlib client against a local unix-socket server -------------------------------------------------
class _Server(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True


def _serve(path: Path, answers: dict[tuple[str, str], tuple[int, bytes]], requests: list[dict]) -> _Server:
    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            requests.append({"method": self.command, "path": self.path, "type": self.headers.get("Content-Type"),
                             "body": self.rfile.read(length) if length else b""})
            status, body = answers.get((self.command, self.path.split("?")[0]), (404, b'{"message":"page not found"}'))
            if status == 0:  # never answer: the client's timeout must end the call
                threading.Event().wait(1)
                return
            self.send_response(status)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = do_DELETE = _answer

        def log_message(self, *args: Any) -> None:
            pass

        def address_string(self) -> str:  # a unix socket has no (host, port)
            return "unix"

    server = _Server(str(path), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture
def daemon(tmp_path):
    requests: list[dict] = []
    answers: dict[tuple[str, str], tuple[int, bytes]] = {}
    path = tmp_path / "d.sock"
    server = _serve(path, answers, requests)
    yield str(path), answers, requests
    server.shutdown()
    server.server_close()


def test_a_create_is_posted_as_json_with_its_name(daemon):
    path, answers, requests = daemon
    answers[("POST", "/containers/create")] = (201, b'{"Id": "abc", "Warnings": []}')
    body = create_body("busybox", ["true"], LABELS, privileged=True, network_mode="none")
    answer = call(path, "POST", "/containers/create", params={"name": "n-1"}, body=body, timeout=2, expect=(201,))
    assert answer == {"Id": "abc", "Warnings": []}
    [sent] = requests
    assert sent["path"] == "/containers/create?name=n-1" and sent["type"] == "application/json"
    assert json.loads(sent["body"]) == body


def test_an_error_answer_reads_as_docker_pys(daemon):
    path, answers, _ = daemon
    refusal = "failed to create shim task: unable to apply caps: operation not permitted"
    answers[("POST", "/containers/x/start")] = (500, json.dumps({"message": refusal}).encode())
    with pytest.raises(UnixHTTPError) as caught:
        call(path, "POST", "/containers/x/start", timeout=2, expect=(204, 304))
    assert caught.value.status_code == 500
    assert daemon_reason(caught.value) == f"the daemon failed (500): {refusal}"
    with pytest.raises(UnixHTTPError) as missing:
        call(path, "POST", "/containers/create", timeout=2, expect=(201,))
    assert missing.value.status_code == 404 and daemon_reason(missing.value) == "page not found"


def test_an_empty_answer_is_none_and_a_non_json_one_an_error(daemon):
    path, answers, _ = daemon
    answers[("POST", "/containers/x/start")] = (204, b"")
    answers[("GET", "/odd")] = (200, b"<html>a proxy</html>")
    assert call(path, "POST", "/containers/x/start", timeout=2, expect=(204,)) is None
    with pytest.raises(UnixHTTPError):
        call(path, "GET", "/odd", timeout=2)


def test_no_socket_and_no_answer_are_errors_without_a_status(daemon, tmp_path):
    path, answers, _ = daemon
    with pytest.raises(UnixHTTPError) as absent:
        call(str(tmp_path / "absent.sock"), "GET", "/_ping", timeout=2)
    assert absent.value.status_code is None
    answers[("GET", "/hang")] = (0, b"")
    with pytest.raises(UnixHTTPError) as hung:
        call(path, "GET", "/hang", timeout=0.2)
    assert hung.value.status_code is None and "timed out" in str(hung.value)
