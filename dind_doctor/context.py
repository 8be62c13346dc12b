"""What a check may read: the project, the user's shell, the platform, the environment and the engine.

The Docker client is built lazily, once, under a lock (checks run concurrently), and every call it makes
has a timeout: an unreachable or hanging daemon becomes `engine_error`, never a traceback.
"""
from __future__ import annotations

import os
import sys
import threading
import uuid
from .records import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Mapping

from . import endpoint as endpoint_mod
from .engine.errors import EngineUnavailable, engine_unreachable
from .engine.resources import RunResources

if TYPE_CHECKING:  # docker is imported lazily: `dind-doctor --help` must not pay for it
    from docker import DockerClient

    from .nesting import ContainerClues, NestingReport
    from .project.project_model import ProjectModel

DEFAULT_TIMEOUT = 5.0


STATIC_REASON = "static mode: the engine is not asked (--static)"


@dataclass
class Context:
    project: Path
    shell: str
    shell_reason: str = "given"
    env: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))
    platform: str = sys.platform
    timeout: float = DEFAULT_TIMEOUT
    verbose: bool = False
    run_id: str = field(default_factory=lambda: uuid.uuid4().hex[:12])
    fix: bool = False  # --fix: checks may apply their safe local repairs
    options: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)  # config: check id -> its options
    static: bool = False  # --static: the engine is never asked (a pre-commit hook, a CI job without Docker)
    # --fix: why the config forbids rewriting a project-relative path (an exclude), or None when it may.
    fix_refusal: Callable[[str], str | None] | None = None

    def __post_init__(self) -> None:
        self._lock = threading.RLock()
        self._client: Any = None
        self._engine_error: str | None = None
        self._memo: dict[str, Any] = {}
        self._memo_locks: dict[str, threading.Lock] = {}
        self._project_model: ProjectModel | None = None
        self.resources = RunResources(self.run_id)  # what this run creates, registered before it exists

    # -- endpoint -------------------------------------------------------------------------------
    def _resolved(self) -> tuple[endpoint_mod.Endpoint | None, str | None]:
        def resolve() -> tuple[endpoint_mod.Endpoint | None, str | None]:
            try:
                return endpoint_mod.resolve(self.env, self.platform), None
            except endpoint_mod.EndpointError as exc:
                return None, str(exc)

        return self.memo("endpoint", resolve)

    @property
    def endpoint(self) -> endpoint_mod.Endpoint | None:
        return self._resolved()[0]

    @property
    def endpoint_error(self) -> str | None:
        return self._resolved()[1]

    # -- engine ---------------------------------------------------------------------------------
    def docker(self) -> "DockerClient":
        """The client, built on first use; raises EngineUnavailable with a readable reason."""
        with self._lock:
            if self._client is None and self._engine_error is None and self.static:
                self._engine_error = STATIC_REASON
            if self._client is None and self._engine_error is None:
                try:
                    self._client = self._connect()
                except EngineUnavailable as exc:
                    self._engine_error = str(exc)
            if self._engine_error:
                raise EngineUnavailable(self._engine_error)
            return self._client

    @property
    def connected(self) -> bool:
        return self._client is not None

    @property
    def engine_error(self) -> str | None:
        try:
            self.docker()
        except EngineUnavailable as exc:
            return str(exc)
        return None

    def _connect(self) -> "DockerClient":
        ep = self.endpoint
        if ep is None:
            raise EngineUnavailable(self.endpoint_error or "no endpoint")
        try:
            import docker
            from docker.tls import TLSConfig
        except ImportError as exc:  # pragma: no cover - a broken install
            raise EngineUnavailable(f"the docker Python package cannot be imported: {exc}") from exc
        tls: Any = False
        if ep.tls is not None and ep.scheme == "tcp":
            cert = (ep.tls.cert, ep.tls.key) if ep.tls.cert and ep.tls.key else None
            tls = TLSConfig(client_cert=cert, ca_cert=ep.tls.ca, verify=ep.tls.verify and ep.tls.ca or False)
        try:
            # version="auto" asks the daemon for its API version: this is the first call, and it is timed.
            client = docker.DockerClient(base_url=ep.url, version="auto", timeout=self.timeout, tls=tls,
                                         use_ssh_client=ep.scheme == "ssh")
            client.ping()
            return client
        except Exception as exc:  # docker-py wraps transport errors in many types; all mean "unusable"
            from .secret_rules import mask_url

            # docker-py's words may quote the whole URL, userinfo included
            raise EngineUnavailable(mask_url(engine_unreachable(exc, ep.display))) from exc

    def server_version(self) -> dict:
        """The daemon's /version answer, asked once per run (several checks read it)."""
        return self.memo("server version", lambda: self.docker().version())

    # -- values shared by the checks of one run ---------------------------------------------------
    def memo(self, key: str, build: Callable[[], Any]) -> Any:
        """`build()`'s value, built once per run and shared by every check (the project walk, parsed
        compose files, the nesting report). Each key has its own lock: a long build blocks neither
        `docker()` nor the other keys, and a failed build is tried again by the next caller."""
        with self._lock:
            lock = self._memo_locks.setdefault(key, threading.Lock())
        with lock:
            if key not in self._memo:
                self._memo[key] = build()
            return self._memo[key]

    def memo_peek(self, key: str) -> Any:
        """`key`'s value if it was built (waiting for a build in flight), else None; never builds it."""
        with self._lock:
            lock = self._memo_locks.get(key)
        if lock is None:
            return None
        with lock:
            return self._memo.get(key)

    # -- the user's project -------------------------------------------------------------------------
    @property
    def project_model(self) -> "ProjectModel":
        """The one model of the project (compose, Dockerfiles, scripts), built once per run; each part is
        parsed on first use."""
        with self._lock:
            if self._project_model is None:
                from .project.files import project_files
                from .project.project_model import ProjectModel

                self._project_model = ProjectModel(project_files(self), self.env, self.platform)
            return self._project_model

    # -- nesting level --------------------------------------------------------------------------
    def container_clues(self) -> "ContainerClues":
        """What the filesystem says of this process being in a container, read once per run (nesting-level's
        prestart hook asks before the engine answers, the nesting report after)."""
        from .nesting import container_clues

        return self.memo("container clues", container_clues)

    def nesting(self) -> "NestingReport":
        from .nesting import detect

        def build() -> "NestingReport":
            try:
                client, error = self.docker(), None
            except EngineUnavailable as exc:
                client, error = None, str(exc)
            return detect(self.container_clues(), self.endpoint, self.endpoint_error, client, error)

        return self.memo("nesting", build)

    def close(self) -> None:
        with self._lock:
            if self._client is not None:
                try:
                    self._client.close()
                except Exception:
                    pass
