"""The script run inside a running Airflow worker, as the user the worker runs as, to prove that the
endpoint DockerOperator will use answers from there: stdlib only (any Python image), one GET /_ping.

It prints three kinds of lines, parsed by `parse`: `ID uid gid groups`, then per URL `URL <url>` followed
by `ANSWER <HTTP status line>` or `ERROR <exception class> <errno> <message>`. It prints no variable but
DOCKER_HOST's URL (a userinfo in it is masked by the masking boundary like any URL's).
"""
from __future__ import annotations

from ..records import dataclass

SCRIPT = r"""
import os, socket, sys
print("ID", os.getuid(), os.getgid(), ",".join(str(g) for g in os.getgroups()))
for url in sys.argv[1:] or [os.environ.get("DOCKER_HOST") or "unix://var/run/docker.sock"]:
    url = url or os.environ.get("DOCKER_HOST") or "unix://var/run/docker.sock"
    print("URL", url)
    try:
        if url.startswith("unix://"):
            path = "/" + url[len("unix://"):].lstrip("/")
            s = socket.socket(socket.AF_UNIX)
            s.settimeout(5)
            s.connect(path)
        elif url.startswith("tcp://"):
            hostport = url[len("tcp://"):].split("/")[0]
            host, _, port = hostport.rpartition(":") if ":" in hostport else (hostport, "", "")
            s = socket.create_connection((host, int(port or 2375)), 5)
        else:
            print("ERROR Unsupported 0 scheme of", url.split(":")[0])
            continue
        s.sendall(b"GET /_ping HTTP/1.0\r\nHost: docker\r\n\r\n")
        print("ANSWER", s.recv(256).split(b"\r\n")[0].decode("latin-1"))
        s.close()
    except Exception as exc:
        print("ERROR", type(exc).__name__, getattr(exc, "errno", None) or 0, str(exc)[:160])
"""


@dataclass(frozen=True)
class Ping:
    url: str
    answer: str | None  # the HTTP status line ("HTTP/1.0 200 OK"), or None when it failed
    error: str | None = None  # "PermissionError 13 [Errno 13] Permission denied"

    @property
    def ok(self) -> bool:
        return self.answer is not None and " 200 " in f"{self.answer} "

    @property
    def denied(self) -> bool:
        return self.error is not None and self.error.startswith("PermissionError")


def parse(output: str) -> tuple[str, list[Ping]]:
    """(the `uid gid groups` line, one Ping per URL) from the script's output."""
    ident, pings, url = "?", [], None
    for line in output.splitlines():
        kind, _, rest = line.partition(" ")
        if kind == "ID":
            ident = rest
        elif kind == "URL":
            url = rest
        elif kind in ("ANSWER", "ERROR") and url is not None:
            pings.append(Ping(url, rest if kind == "ANSWER" else None, rest if kind == "ERROR" else None))
            url = None
    return ident, pings
