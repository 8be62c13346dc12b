"""port-2375: the Docker API without TLS on TCP 2375, which is root on the host for whoever reaches it."""
from __future__ import annotations

import ipaddress
import time
from pathlib import Path
from typing import Any, Mapping

from dind_doctor.check import Check
from dind_doctor.context import Context
from dind_doctor.model import Finding, Status, fixes, same_fix

PORT = 2375
DESKTOP_KEY = "exposeDockerAPIOnTCP2375"
DESKTOP_UNTICK = same_fix('Docker Desktop > Settings > General: untick "Expose daemon on tcp://localhost:2375 '
                          'without TLS", Apply & restart.')


def probe_ping(host: str, port: int = PORT, timeout: float = 1.0) -> str | None:
    """GET /_ping over plain HTTP. Returns the body ("OK" for a Docker API), a short description of what
    answered instead, or None when nothing accepts the connection.

    `timeout` bounds the WHOLE probe, not each read: a listener that trickles a byte at a time must not
    hold the check past it."""
    import socket  # here: --static never probes a port

    deadline = time.monotonic() + timeout
    data = b""
    connected = False
    try:
        with socket.create_connection((host, port), timeout=timeout) as conn:
            connected = True
            conn.sendall(f"GET /_ping HTTP/1.0\r\nHost: {host}\r\n\r\n".encode("ascii"))
            while len(data) < 65536:
                left = deadline - time.monotonic()
                if left <= 0:
                    return f"not a Docker API: no complete answer within {timeout:g} s (a slow or trickling listener)"
                conn.settimeout(left)
                chunk = conn.recv(4096)
                if not chunk:
                    break
                data += chunk
    except socket.timeout:
        if data:
            return f"not a Docker API: no complete answer within {timeout:g} s (a slow or trickling listener)"
        return "not a Docker API: accepts connections but does not answer" if connected else None
    except OSError:
        return None
    head, _, body = data.partition(b"\r\n\r\n")
    if b"HTTPS" in body or b"TLS" in body:
        return "TLS required"
    if head.startswith(b"HTTP/") and b" 200 " in head.split(b"\r\n", 1)[0] + b" ":
        return body.decode("latin-1").strip() or "empty 200"
    return "not a Docker API: " + (head.split(b"\r\n", 1)[0].decode("latin-1")[:60] or "no HTTP answer")


def listeners(port: int = PORT) -> list[dict[str, Any]]:
    """TCP listeners on `port` in this network namespace, with their process when visible."""
    import psutil

    found = []
    for conn in psutil.net_connections(kind="tcp"):
        if conn.status != psutil.CONN_LISTEN or not conn.laddr or conn.laddr.port != port:
            continue
        process = None
        if conn.pid:
            try:
                process = f"{psutil.Process(conn.pid).name()} (pid {conn.pid})"
            except psutil.Error:
                process = f"pid {conn.pid}"
        found.append({"address": conn.laddr.ip, "process": process or "not visible to this user"})
    return found


def is_loopback(address: str) -> bool:
    try:
        return ipaddress.ip_address(address.split("%")[0]).is_loopback
    except ValueError:
        return address == "localhost"


def desktop_settings_files(platform: str, env: Mapping[str, str]) -> list[Path]:
    if platform == "win32" and env.get("APPDATA"):
        base = Path(env["APPDATA"]) / "Docker"
    elif platform == "darwin":
        base = Path(env.get("HOME", "~")).expanduser() / "Library" / "Group Containers" / "group.com.docker"
    else:
        return []
    return [base / "settings-store.json", base / "settings.json"]  # 4.35+ first, then the older name


def desktop_exposes_2375(platform: str, env: Mapping[str, str]) -> tuple[bool | None, str | None]:
    import json

    for path in desktop_settings_files(platform, env):
        try:
            data = json.loads(path.read_bytes().decode("utf-8-sig"))
        except (OSError, ValueError):
            continue
        if isinstance(data, dict) and DESKTOP_KEY in data:
            return bool(data[DESKTOP_KEY]), str(path)
    return None, None


def desktop_version(platform_name: str | None) -> tuple[int, ...] | None:
    """'Docker Desktop 4.43.2 (199162)' -> (4, 43, 2)."""
    if not platform_name or "Docker Desktop" not in platform_name:
        return None
    words = platform_name.replace("Docker Desktop", "").split()
    try:
        return tuple(int(p) for p in words[0].split("."))
    except (IndexError, ValueError):
        return None


class Port2375(Check):
    """Looks for the Docker API exposed without TLS on TCP port 2375.

    An unauthenticated Docker API is root on the host for anyone who can reach it (CIS Docker Benchmark
    2.7). Listening on all interfaces is a failure; on loopback only (Docker Desktop's "Expose daemon on
    tcp://localhost:2375 without TLS") a warning, because every local process and every container that
    reaches the host can use it. The check lists the listeners and their process (psutil), asks each for
    `/_ping`, reads Docker Desktop's `exposeDockerAPIOnTCP2375` setting on Windows and macOS, warns when
    DOCKER_HOST points at port 2375, and, inside a container, asks whether `host.docker.internal:2375`
    answers (what an Airflow DockerOperator with `docker_url="tcp://host.docker.internal:2375"` uses).
    Docker Desktop 4.25 to 4.44.2 exposed the API to every container regardless of the setting
    (CVE-2025-9074): update Docker Desktop.

    Prefer mounting the socket (`-v /var/run/docker.sock:/var/run/docker.sock`) to exposing TCP, and for
    Airflow `docker_url="unix://var/run/docker.sock"`.
    """

    id = "port-2375"
    title = "Docker API exposed without TLS on TCP 2375"
    time_limit = 20.0
    port = PORT  # a test looks at an ephemeral port instead

    def run(self, ctx: Context) -> list[Finding]:
        findings: list[Finding] = []
        evidence: dict[str, Any] = {}
        try:
            found = listeners(self.port)
        except Exception as exc:  # psutil refuses on some systems (macOS without root)
            found = []
            evidence["listeners"] = f"cannot list sockets: {exc}"
        for item in found:
            addr = item["address"]
            # A wildcard listener is asked on loopback; a specific address on itself.
            probe_host = {"0.0.0.0": "127.0.0.1", "": "127.0.0.1", "::": "::1"}.get(addr, addr)
            answer = probe_ping(probe_host, self.port, timeout=ctx.timeout)  # each probe bounded by --timeout
            findings.append(self._listener_finding(item, answer))
        if not found:
            evidence.setdefault("listeners", f"nothing listens on TCP {self.port} in this network namespace")

        ep = ctx.endpoint
        if ep is not None and ep.host_port and ep.host_port[1] == PORT and ep.scheme == "tcp" and not ep.tls:
            findings.append(self.finding(
                Status.WARN, f"DOCKER_HOST uses {ep.display}: the API without TLS",
                detail="Every call, and every secret passed in an environment variable, crosses the network in "
                       "clear, and anyone reaching the port is root on the daemon's host.",
                evidence={"endpoint": ep.display, "chosen by": ep.source},
                fixes=fixes(powershell="$Env:DOCKER_HOST = 'npipe:////./pipe/docker_engine'   # or mount the socket",
                            cmd="set DOCKER_HOST=npipe:////./pipe/docker_engine",
                            bash="export DOCKER_HOST=unix:///var/run/docker.sock   # and mount the socket")))

        exposed, settings_path = desktop_exposes_2375(ctx.platform, ctx.env)
        if exposed:
            findings.append(self.finding(
                Status.WARN, f"Docker Desktop exposes the daemon on tcp://localhost:{PORT} without TLS",
                evidence={"setting": f"{DESKTOP_KEY}=true", "file": settings_path}, fixes=DESKTOP_UNTICK))
        elif settings_path:
            evidence["Docker Desktop"] = f"{DESKTOP_KEY}=false in {settings_path}"

        findings.extend(self._desktop_cve(ctx))
        if ctx.nesting().in_container:
            findings.extend(self._from_container(ctx))
        if not findings:
            findings.append(self.finding(Status.OK, f"nothing exposes the Docker API on TCP {self.port}", evidence=evidence))
        return findings

    def _listener_finding(self, item: dict[str, Any], answer: str | None) -> Finding:
        addr, who = item["address"], item["process"]
        port = self.port
        evidence = {"address": f"{addr}:{port}", "process": who, "/_ping": answer or "no answer"}
        if answer == "OK":
            if is_loopback(addr):
                return self.finding(
                    Status.WARN, f"the Docker API answers without TLS on {addr}:{port} (loopback only)",
                    detail="Loopback keeps other machines out, but any local process, and any container "
                           "that can reach the host, is root on this machine through it.",
                    evidence=evidence, fixes=DESKTOP_UNTICK + fixes(bash="remove `-H tcp://127.0.0.1:2375` from dockerd's flags or daemon.json `hosts`"))
            return self.finding(
                Status.FAIL, f"the Docker API answers without TLS on {addr}:{port}: anyone on the network is root here",
                detail="An unauthenticated Docker API on every interface is remote code execution as root "
                       "(CIS Docker Benchmark 2.7).",
                evidence=evidence,
                fixes=DESKTOP_UNTICK + fixes(
                    bash="remove `-H tcp://0.0.0.0:2375` from dockerd's flags or daemon.json `hosts`; "
                         "if TCP is needed use 2376 with --tlsverify",
                    powershell=f"Get-NetTCPConnection -LocalPort {port} -State Listen | "
                               "Select-Object LocalAddress,OwningProcess   # find and stop the listener",
                    cmd=f"netstat -ano | findstr :{port}"))
        if answer == "TLS required":
            return self.finding(Status.OK, f"{addr}:{port} requires TLS", evidence=evidence)
        return self.finding(Status.OK, f"{addr}:{port} is taken by {who}, which is not an open Docker API",
                            evidence=evidence)

    def _desktop_cve(self, ctx: Context) -> list[Finding]:
        if ctx.engine_error:
            return []
        try:
            name = (ctx.server_version().get("Platform") or {}).get("Name")
        except Exception:
            return []
        version = desktop_version(name)
        if version and (4, 25) <= version < (4, 44, 3):
            return [self.finding(
                Status.FAIL, f"{name} lets every container reach the Docker API (CVE-2025-9074)",
                detail="Docker Desktop 4.25 to 4.44.2 exposed the engine API to containers at 192.168.65.7:2375 "
                       "whatever the settings: any container could take over the host.",
                evidence={"platform": name}, fixes=same_fix("Update Docker Desktop to 4.44.3 or newer."))]
        return []

    def _from_container(self, ctx: Context) -> list[Finding]:
        import socket

        host = "host.docker.internal"
        try:
            socket.getaddrinfo(host, PORT, type=socket.SOCK_STREAM)
        except OSError:
            return []  # the name does not resolve here: nothing to probe
        answer = probe_ping(host, self.port, timeout=ctx.timeout)
        if answer == "OK":
            return [self.finding(
                Status.WARN, f"from this container, tcp://{host}:{PORT} answers: the host's daemon without TLS",
                detail="This works for Airflow's DockerOperator, but so can any process in any container. "
                       "Mounting the socket gives the same access without opening a port.",
                evidence={"probe": f"{host}:{PORT}/_ping", "answer": answer},
                fixes=fixes(bash="docker run -v /var/run/docker.sock:/var/run/docker.sock ...   "
                                 "# and DockerOperator(docker_url='unix://var/run/docker.sock')")
                + DESKTOP_UNTICK)]
        return []
