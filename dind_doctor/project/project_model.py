"""The façade over every reader of the user's project, built once per run: `ctx.project_model`.

Each part (compose, and the Dockerfiles and scripts parts) is parsed on first use, once, under its own
lock: checks run concurrently, and a check that needs only the compose part never waits for, or pays
for, the Dockerfile reader. Parts are typed attributes, not string keys, so a typo is a mypy error.

Adding a part: a method decorated with `@part` returning the parsed value; it may use `self.files`
(the bounded walk and read-once cache), `self.env` and the other parts.
"""
from __future__ import annotations

import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Generic, Hashable, Mapping, TypeVar, overload

from .files import ProjectFiles

if TYPE_CHECKING:
    from ..airflow.dags import DagFile
    from .build_context import Dockerfiles
    from .compose_model import ComposeProject
    from .scripts import ProjectScripts

T = TypeVar("T")
K = TypeVar("K", bound=Hashable)


class part(Generic[T]):  # noqa: N801 - used as a decorator, like functools.cached_property
    """A lazily built, thread-safe, once-per-instance attribute."""

    def __init__(self, build: Callable[[Any], T]) -> None:
        self._build = build
        self._name = build.__name__
        self._guard = threading.Lock()  # guards the creation of each instance's own lock
        self.__doc__ = build.__doc__

    def __set_name__(self, owner: type, name: str) -> None:
        self._name = name

    @overload
    def __get__(self, obj: None, owner: type | None = None) -> "part[T]": ...

    @overload
    def __get__(self, obj: object, owner: type | None = None) -> T: ...

    def __get__(self, obj: object | None, owner: type | None = None) -> "T | part[T]":
        if obj is None:
            return self
        store = obj.__dict__
        if self._name in store:  # built: no lock on the hot path
            return store[self._name]
        with self._guard:
            lock = store.setdefault(f"_part_lock_{self._name}", threading.Lock())
        with lock:  # a failed build raises, stores nothing, and is tried again by the next caller
            if self._name not in store:
                store[self._name] = self._build(obj)
        return store[self._name]


class OnceMap(Generic[K, T]):
    """A value per key, built once (per-key lock) and shared: for views of a part that cost a subprocess,
    such as a compose project refined by `docker compose config`."""

    def __init__(self) -> None:
        self._values: dict[K, T] = {}
        self._locks: dict[K, threading.Lock] = {}
        self._guard = threading.Lock()

    def get(self, key: K, build: Callable[[], T]) -> T:
        with self._guard:
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            if key not in self._values:
                self._values[key] = build()
            return self._values[key]


class ProjectModel:
    """The user's project as every check, `levels` and `run-reference` read it."""

    def __init__(self, files: ProjectFiles, env: Mapping[str, str], platform: str = sys.platform,
                 compose_project_name: str | None = None) -> None:
        self.files = files
        self.env = env
        self.platform = platform  # a Windows path names a local file only on Windows
        self.compose_project_name = compose_project_name  # `-p`, when a command takes one
        self.compose_resolved: OnceMap[Path, ComposeProject] = OnceMap()  # compose_cli.resolved_project

    @property
    def root(self) -> Path:
        return self.files.root

    @part
    def compose(self) -> "list[ComposeProject]":
        """One model per compose project of the walk (`include:` and `extends:` followed)."""
        from .compose_loader import load_projects

        return load_projects(self.files, self.env, self.platform, self.compose_project_name)

    @part
    def dockerfiles(self) -> "Dockerfiles":
        """The project's Dockerfiles, each parsed once on first use (dockerfile_model), with the
        .dockerignore and COPY rules of build_context."""
        from .build_context import Dockerfiles

        return Dockerfiles(self.files)

    @part
    def dags(self) -> "list[DagFile]":
        """The Airflow DAG files that start containers (DockerOperator, @task.docker), read with ast."""
        from ..airflow.dags import find_dags

        return find_dags(self.files)

    @part
    def scripts(self) -> "ProjectScripts":
        """The project's scripts by dialect (files and Markdown code blocks), each read for its docker
        commands once (docker_commands)."""
        from .scripts import ProjectScripts

        return ProjectScripts(self.files)
