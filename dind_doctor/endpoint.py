"""Which daemon endpoint is in use, resolved the way the docker CLI resolves it.

Precedence (docker/cli `resolveContextName`): a non-empty DOCKER_HOST, then DOCKER_CONTEXT, then
`currentContext` in the docker config file, then the platform default. Pure logic: no daemon is called.
"""
from __future__ import annotations

import ipaddress
import os
import sys
from .records import dataclass
from pathlib import Path
from typing import Mapping
from urllib.parse import urlsplit

from .errors import DindDoctorError

WINDOWS_DEFAULT = "npipe:////./pipe/docker_engine"
UNIX_DEFAULT = "unix:///var/run/docker.sock"


class EndpointError(DindDoctorError):
    """The configuration names an endpoint that cannot be used (unknown context, unreadable config)."""


@dataclass(frozen=True)
class TLSFiles:
    ca: str | None
    cert: str | None
    key: str | None
    verify: bool


@dataclass(frozen=True)
class Endpoint:
    url: str
    source: str  # why this endpoint: "DOCKER_HOST", "DOCKER_CONTEXT", "config currentContext", "default"
    context: str | None = None
    tls: TLSFiles | None = None

    @property
    def display(self) -> str:
        """The URL as it may be printed: userinfo masked (DOCKER_HOST=tcp://user:password@host:2375)."""
        from .secret_rules import mask_url

        return mask_url(self.url)

    @property
    def scheme(self) -> str:
        return self.url.split("://", 1)[0].lower() if "://" in self.url else "tcp"

    @property
    def socket_path(self) -> str | None:
        """The filesystem path of a unix socket endpoint."""
        if self.scheme != "unix":
            return None
        return "/" + self.url.split("://", 1)[1].lstrip("/")

    @property
    def pipe_path(self) -> str | None:
        """The Windows named-pipe path of an npipe endpoint, as `\\\\.\\pipe\\name`."""
        if self.scheme != "npipe":
            return None
        rest = self.url.split("://", 1)[1].replace("/", "\\")
        return "\\\\" + rest.lstrip("\\")

    @property
    def host_port(self) -> tuple[str, int | None] | None:
        if self.scheme not in ("tcp", "http", "https", "ssh"):
            return None
        parts = urlsplit(self.url if "://" in self.url else "tcp://" + self.url)
        default = 22 if self.scheme == "ssh" else None
        return parts.hostname or "", parts.port or default

    @property
    def is_local(self) -> bool:
        """True for sockets, pipes and TCP to a loopback address or to Docker Desktop's host alias."""
        hp = self.host_port
        if hp is None:
            return True
        host = hp[0]
        if host in ("localhost", "host.docker.internal", "gateway.docker.internal"):
            return True
        try:
            return ipaddress.ip_address(host).is_loopback
        except ValueError:
            return False


def config_dir(env: Mapping[str, str]) -> Path:
    if env.get("DOCKER_CONFIG"):
        return Path(env["DOCKER_CONFIG"])
    home = env.get("USERPROFILE") if sys.platform == "win32" else None
    return Path(home or env.get("HOME") or Path.home()) / ".docker"


def default_url(platform: str) -> str:
    return WINDOWS_DEFAULT if platform == "win32" else UNIX_DEFAULT


def _context_dir(cfg: Path, kind: str, name: str) -> Path:
    # The CLI stores each context under the SHA-256 of its name. hashlib only here: most runs name none.
    import hashlib

    return cfg / "contexts" / kind / hashlib.sha256(name.encode("utf-8")).hexdigest()


def _read_json(path: Path) -> dict:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:  # no Docker CLI config: most CI machines; json is not even imported
        return {}
    except OSError as exc:
        raise EndpointError(f"cannot read {path}: {exc}") from exc
    import json

    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise EndpointError(f"cannot read {path}: {exc}") from exc
    if not isinstance(data, dict):
        raise EndpointError(f"cannot read {path}: not a JSON object")
    return data


def _from_context(cfg: Path, name: str, source: str, platform: str) -> Endpoint:
    if name == "default":
        return Endpoint(default_url(platform), source, context="default")
    meta = _read_json(_context_dir(cfg, "meta", name) / "meta.json")
    docker_ep = (meta.get("Endpoints") or {}).get("docker") or {}
    host = docker_ep.get("Host")
    if not host:
        raise EndpointError(f'context "{name}" ({source}) not found in {cfg / "contexts"}')
    tls_dir = _context_dir(cfg, "tls", name) / "docker"
    tls = None
    if tls_dir.is_dir():
        def pem(n: str) -> str | None:
            return str(tls_dir / n) if (tls_dir / n).is_file() else None
        tls = TLSFiles(pem("ca.pem"), pem("cert.pem"), pem("key.pem"), not docker_ep.get("SkipTLSVerify"))
    return Endpoint(host, source, context=name, tls=tls)


def resolve(env: Mapping[str, str] | None = None, platform: str | None = None) -> Endpoint:
    env = os.environ if env is None else env
    platform = platform or sys.platform
    cfg = config_dir(env)
    if env.get("DOCKER_HOST"):
        tls = None
        if env.get("DOCKER_TLS_VERIFY") or env.get("DOCKER_CERT_PATH"):
            certs = Path(env.get("DOCKER_CERT_PATH") or cfg)
            tls = TLSFiles(str(certs / "ca.pem"), str(certs / "cert.pem"), str(certs / "key.pem"),
                           bool(env.get("DOCKER_TLS_VERIFY")))
        return Endpoint(env["DOCKER_HOST"], "DOCKER_HOST", tls=tls)
    if env.get("DOCKER_CONTEXT"):
        return _from_context(cfg, env["DOCKER_CONTEXT"], "DOCKER_CONTEXT", platform)
    current = _read_json(cfg / "config.json").get("currentContext")
    if current:
        return _from_context(cfg, current, f"currentContext in {cfg / 'config.json'}", platform)
    return Endpoint(default_url(platform), "default")
