"""A few Engine API calls over a unix socket with the standard library alone: usable before docker-py
(requests, urllib3, charset_normalizer: ~0.1 s of CPU) is imported, so the daemon can start working
while that import runs. Only what engine/early_container.py needs; every call has a timeout, and every
failure (no socket, refused, permission, an HTTP error, a non-JSON answer) is an UnixHTTPError.
"""
from __future__ import annotations

import http.client
import json
import socket
from typing import Any
from urllib.parse import quote, urlencode


class UnixHTTPError(Exception):
    """A call that did not get the answer it wanted. `status_code` (the HTTP status, when the daemon answered)
    and `explanation` (its message) are named as on docker-py's APIError: errors.daemon_reason reads both."""

    def __init__(self, message: str, status_code: int | None = None) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.explanation = message


class _UnixConnection(http.client.HTTPConnection):
    """HTTP/1.1 over AF_UNIX: the host name only fills the Host header (the daemon ignores it)."""

    def __init__(self, path: str, timeout: float) -> None:
        super().__init__("localhost", timeout=timeout)
        self.socket_path = path

    def connect(self) -> None:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(self.timeout)
        try:
            sock.connect(self.socket_path)
        except BaseException:
            sock.close()
            raise
        self.sock = sock


def _message(status: int, raw: bytes) -> str:
    """The daemon's explanation of an error answer, as docker-py reads it: the JSON `message`, else the body."""
    try:
        data = json.loads(raw)
        if isinstance(data, dict) and isinstance(data.get("message"), str):
            return data["message"].strip()
    except ValueError:
        pass
    return raw.decode("utf-8", errors="replace").strip() or f"HTTP {status}"


def call(socket_path: str, method: str, path: str, *, timeout: float, params: dict[str, str] | None = None,
         body: dict[str, Any] | None = None, expect: tuple[int, ...] = (200,)) -> Any:
    """One request on a fresh connection; the decoded JSON answer (None for an empty body) when its status is
    in `expect`, else UnixHTTPError carrying the status and the daemon's message."""
    url = quote(path) + ("?" + urlencode(params) if params else "")
    data = json.dumps(body).encode("utf-8") if body is not None else None
    headers = {"Content-Type": "application/json"} if data is not None else {}
    conn = _UnixConnection(socket_path, timeout)
    try:
        conn.request(method, url, body=data, headers=headers)
        response = conn.getresponse()
        raw = response.read()
    except (OSError, http.client.HTTPException) as exc:
        raise UnixHTTPError(f"{type(exc).__name__}: {exc}") from exc
    finally:
        conn.close()
    if response.status not in expect:
        raise UnixHTTPError(_message(response.status, raw), response.status)
    try:
        return json.loads(raw) if raw.strip() else None
    except ValueError as exc:
        raise UnixHTTPError(f"not a JSON answer to {method} {path}", response.status) from exc
