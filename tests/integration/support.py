"""Helpers the integration tests share (import them: `from support import ...`)."""
from __future__ import annotations

import io
import json
import os
import re
import socket
import subprocess
import sys
import tarfile
import threading
import time
import uuid
from pathlib import Path

from dind_doctor import images
from dind_doctor.dind_workaround import API_KWARGS, CGROUP_BIND
from dind_doctor.labels import CREATED_BY, selector

REPO = Path(__file__).resolve().parents[2]
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")  # CI: what is missing fails, never skips
SOCK = "/var/run/docker.sock"
# One id per pytest process: the session cleanup removes only what THIS run created, so two runs on one
# engine (two developers, a developer and CI) never remove each other's containers.
TEST_SESSION = uuid.uuid4().hex[:12]
TEST_LABEL = {CREATED_BY: "tests", "io.dind-doctor.test-session": TEST_SESSION}

# dockerd in a container without --privileged (see shared notes: privileged fails on this machine).
DIND_RUN_KWARGS = API_KWARGS


def image_env(name: str) -> str:
    """The image an override variable names now (after conftest pointed it at the offline stand-ins)."""
    return images.image(name)


def run_container(client, image: str, command, **kwargs):
    """Start a labelled detached container; the session cleanup removes it."""
    labels = dict(TEST_LABEL, **kwargs.pop("labels", {}))
    return client.containers.run(image, command, detach=True, labels=labels, **kwargs)


def exec_json(container, command: list[str], **kwargs) -> tuple[int, dict]:
    """Run a dind-doctor command that prints JSON inside `container`; return (exit code, report)."""
    code, output = container.exec_run(command, demux=True, **kwargs)
    stdout = (output[0] or b"").decode()
    try:
        return code, json.loads(stdout)
    except ValueError:
        raise AssertionError(f"not JSON (exit {code}): {stdout!r} / {(output[1] or b'').decode()!r}")


def doctor(*args: str, env: dict | None = None, timeout: float = 120, cwd: Path | None = None):
    """Run `python -m dind_doctor ARGS` on this host; return the CompletedProcess."""
    full_env = dict(os.environ, **(env or {}))
    return subprocess.run([sys.executable, "-m", "dind_doctor", *args], capture_output=True, text=True,
                          env=full_env, timeout=timeout, cwd=cwd)


def findings_of(report: dict, check: str) -> list[dict]:
    return [f for f in report["findings"] if f["check"] == check]


def tar_of(files: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def start_inner_dockerd(client, image: str, sock: str = "/var/run/docker.sock", wait: float = 60):
    """A labelled container running its own dockerd (DinD, without --privileged), once it answers."""
    storage = client.volumes.create(labels=TEST_LABEL)
    inner = run_container(client, image, ["dockerd", f"--host=unix://{sock}"],
                          volumes={storage.name: {"bind": "/var/lib/docker", "mode": "rw"}, **CGROUP_BIND},
                          **DIND_RUN_KWARGS)
    deadline = time.monotonic() + wait
    while inner.exec_run(["docker", "version"]).exit_code != 0:
        assert time.monotonic() < deadline, inner.logs()[-2000:]
        time.sleep(1)
    return inner


def leftovers(client, run_id: str) -> list[str]:
    """What a run-reference run (its run id) left on the engine: labelled, or of its compose project."""
    project = {"label": [f"com.docker.compose.project=ddref-{run_id}"]}
    found = []
    for f in (selector(run_id), project):
        found += [f"container {c.name}" for c in client.containers.list(all=True, filters=f)]
        found += [f"network {n.name}" for n in client.networks.list(filters=f)]
        found += [f"volume {v.name}" for v in client.volumes.list(filters=f)]
        found += [f"image {i.tags}" for i in client.images.list(filters=f)]
    return found
def json_answer(body) -> bytes:
    """A complete HTTP answer carrying `body` as JSON (what a misbehaving daemon sends instead)."""
    data = json.dumps(body).encode()
    return (b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
            + str(len(data)).encode() + b"\r\n\r\n" + data)


class TroubleProxy:
    """A Docker API proxy on a unix socket in front of the real one, that misbehaves when a request
    matches `pattern`: `action(match)` returns "forward", "drop" (the connection dies without an answer,
    as when the daemon restarts) or bytes (answered instead of the daemon: unexpected JSON). Once, unless
    `once=False`. `cut()` drops every connection and refuses new ones: the daemon dies mid-run."""

    def __init__(self, path: str, pattern: str, action, once: bool = True) -> None:
        self.path, self.pattern, self.action, self.once = path, re.compile(pattern.encode()), action, once
        self.fired = 0
        self.live: list[socket.socket] = []
        self.server = socket.socket(socket.AF_UNIX)
        self.server.bind(path)
        self.server.listen(16)
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.server.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client) -> None:
        upstream = socket.socket(socket.AF_UNIX)
        upstream.connect(SOCK)
        self.live += [client, upstream]
        threading.Thread(target=self._pump, args=(upstream, client), daemon=True).start()
        try:
            while data := client.recv(65536):
                match = self.pattern.search(data)
                if match and not (self.once and self.fired):
                    self.fired += 1
                    answer = self.action(match)
                    if answer == "drop":
                        break
                    if isinstance(answer, bytes):
                        client.sendall(answer)
                        continue
                upstream.sendall(data)
        except OSError:
            pass
        for s in (client, upstream):
            _shut(s)

    @staticmethod
    def _pump(src, dst) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass

    def cut(self) -> None:
        self.close()
        for s in list(self.live):
            _shut(s)

    def close(self) -> None:
        self.server.close()


def _shut(s: socket.socket) -> None:
    try:
        s.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    s.close()


def ended_runs_leftovers(client, *components: str, in_container=None) -> list[dict]:
    """The label sets of containers and volumes of `components` left by a dind-doctor run whose process
    has ended (a test's own finished run). Live runs of other sessions on this engine have a live owner and
    are not looked at; resources of an older dind-doctor (no owner labels) neither. `in_container`: the
    runs were made inside that container (exec'd, finished): its hostname names them."""
    from dind_doctor.labels import Owner, is_dead

    if in_container is not None:
        prefix = in_container.attrs["Config"]["Hostname"] + "/"
        is_dead = lambda owner: owner.host.startswith(prefix)  # noqa: E731  (every exec there has ended)

    found = []
    for component in components:
        label = {"label": f"{CREATED_BY}={component}"}
        found += [c.labels for c in client.containers.list(all=True, filters=label, ignore_removed=True)]
        found += [v.attrs.get("Labels") or {} for v in client.volumes.list(filters=label)]
    return [lab for lab in found if (owner := Owner.from_labels(lab)) is not None and is_dead(owner)]


def said_it_swept(stderr: str, pid: int) -> bool:
    """Did this run say it removed what the dead run `pid` left? In CI it must have. On a shared engine
    (several sessions at once) another live dind-doctor run may have swept first: then nothing is left
    all the same (asserted by the caller), and this run had nothing to say."""
    return f"(pid {pid}, no longer running)" in stderr or not IN_CI


def unsettled_socket_env(tmp_path: Path) -> dict | None:
    """DOCKER_HOST through a symlink to the default socket: the kernel's table does not name that path, so
    nothing settles the daemon's mounts (daemon_mounts.py) and pwd-path-forms writes and probes a sentinel.
    None when the engine is not on the default local socket here (then nothing was settled anyway)."""
    if os.environ.get("DOCKER_HOST") or not os.path.exists(SOCK):
        return None
    link = tmp_path / "engine.sock"
    link.symlink_to(SOCK)
    return {"DOCKER_HOST": f"unix://{link}"}
