"""The ONE model of a compose project: what every check, `levels` and `run-reference` read.

Built by compose_loader from the raw YAML (bounded, with line numbers), following `include:` and
`extends:`; every reference keeps the file and line that wrote it, so a missing env_file in an included
file is reported against that file. Values of `environment:` are never kept (only keys): the model holds
no secret. Project and volume names are computed the way compose computes them.
"""
from __future__ import annotations

import re
from ..records import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from .mount_spec import MountSpec
from .path_resolver import ResolvedPath


@dataclass(frozen=True)
class Origin:
    """Where something was written: the compose file (absolute) and its 1-based line."""

    file: Path
    line: int | None = None


class _Written:
    """A reference written in a compose file: where (for findings)."""

    origin: Origin

    @property
    def compose(self) -> Path:
        return self.origin.file

    @property
    def line(self) -> int | None:
        return self.origin.line


@dataclass(frozen=True)
class EnvFileRef(_Written):
    service: str
    raw: str  # as written in the YAML
    resolved: ResolvedPath
    required: bool
    origin: Origin

    @property
    def path(self) -> Path:
        """The file compose looks for (for a foreign Windows path, the path as text)."""
        return self.resolved.path or Path(self.resolved.text)

    @property
    def interpolated(self) -> bool:
        return self.resolved.interpolated

    @property
    def checkable(self) -> bool:
        """Names a local file that can be looked at here (not a Windows path on Linux, no `${VAR:?}` error)."""
        return self.resolved.path is not None and self.resolved.error is None


@dataclass(frozen=True)
class BuildRef(_Written):
    service: str
    context_raw: str
    context: Path | None  # the local build context; None when remote (a git URL) or a foreign Windows path
    dockerfile: Path | None  # None when remote, inline (`dockerfile_inline`) or not local
    origin: Origin
    remote: bool = False


@dataclass(frozen=True)
class ServiceMount:
    """One entry of a service's `volumes:` (or `tmpfs:`), resolved: a bind's source is absolute."""

    spec: MountSpec
    source: str  # a bind's absolute source, a named volume's key, or "" (anonymous, tmpfs)
    origin: Origin

    @property
    def kind(self) -> str:
        return self.spec.kind

    @property
    def target(self) -> str:
        return self.spec.target

    @property
    def raw_source(self) -> str:
        return self.spec.source

    @property
    def read_only(self) -> bool:
        return self.spec.read_only

    @property
    def no_copy(self) -> bool:
        return self.spec.no_copy

    @property
    def passed_in(self) -> bool:
        """Written with a variable (`${HOST_PROJECT_DIR}/app`): meant as a path on the daemon's host."""
        return "$" in self.spec.source


@dataclass(frozen=True)
class Service:
    name: str
    origin: Origin
    image: str  # the image compose uses (given, or `<project>-<service>` when only built)
    build: BuildRef | None
    mounts: tuple[ServiceMount, ...]
    env_files: tuple[EnvFileRef, ...]
    env_keys: tuple[str, ...]  # keys of `environment:` (values are never kept)
    working_dir: str | None = None
    extends: tuple[Origin, ...] = ()  # the services it extends, nearest first

    @property
    def build_context(self) -> str | None:
        return str(self.build.context) if self.build and self.build.context else None

    @property
    def dockerfile(self) -> str | None:
        return str(self.build.dockerfile) if self.build and self.build.dockerfile else None


@dataclass(frozen=True)
class Problem:
    """Something that keeps part of the project from being read; `kind` names the class of problem."""

    kind: str  # "yaml", "alias-budget", "not-compose", "include", "extends", "interpolation"
    message: str
    origin: Origin


@dataclass(frozen=True)
class ComposeProject:
    file: Path  # the main compose file
    rel: str  # relative to the project root, forward slashes
    name: str
    volumes: Mapping[str, str]  # volume key -> real name on the daemon
    external: frozenset[str]
    services: Mapping[str, Service]
    files: tuple[Path, ...] = ()  # every file read for it: the main file, included and extended files
    problems: tuple[Problem, ...] = ()
    has_top_level_name: bool = False
    resolved_by: str = "raw YAML"  # or "docker compose config"
    notes: tuple[str, ...] = ()
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)  # the main file's YAML
    # Every service mapping read (included and extended ones too), as written: the masking boundary's
    # source of `environment:` literals. Nothing else reads values from here.
    raw_services: Mapping[str, Mapping[str, Any]] = field(default_factory=dict, repr=False, compare=False)
    node: Any = field(default=None, repr=False, compare=False)  # the main file's YAML nodes (line numbers)
    # From `docker compose config` only: service -> key -> (sha256 of the value compose passes to the
    # container, whether it holds a CR). A hash, never a value: the env_file probe compares it.
    passed_env: Mapping[str, Mapping[str, tuple[str, bool]]] = field(default_factory=dict, repr=False, compare=False)

    def line_of(self, *keys: Any) -> int | None:
        """1-based line of `keys` in the main file (`"services", name, "user"`), None when absent."""
        from .yaml_bounded import line_of

        return line_of(self.node, *keys)

    @property
    def dir(self) -> Path:
        return self.file.parent

    @property
    def refused(self) -> bool:
        """A file of it was refused (alias bomb): never hand it to `docker compose`."""
        return any(p.kind == "alias-budget" for p in self.problems)

    @property
    def error(self) -> Problem | None:
        """Why the main file itself could not be read (then the model is empty)."""
        return next((p for p in self.problems if p.origin.file == self.file and p.kind in
                     ("yaml", "alias-budget", "not-compose")), None)

    @property
    def env_files(self) -> list[EnvFileRef]:
        return [ref for s in self.services.values() for ref in s.env_files]

    @property
    def builds(self) -> list[BuildRef]:
        return [s.build for s in self.services.values() if s.build is not None]

    def users_of(self, volume_key: str) -> list[tuple[Service, ServiceMount]]:
        return [(s, m) for s in self.services.values() for m in s.mounts
                if m.kind == "volume" and m.source == volume_key]


# -- names, as compose computes them -------------------------------------------------------------------
def normalize_project_name(name: str) -> str:
    """Compose's rule (compose-go NormalizeProjectName): lower case, keep [a-z0-9_-], trim leading _ and -."""
    return re.sub(r"[^-_a-z0-9]+", "", name.lower()).lstrip("_-")


def project_name(folder: Path, top_level_name: str, scope: Mapping[str, str], option: str | None = None) -> str:
    """`-p`, then COMPOSE_PROJECT_NAME (`scope`: the environment over the project's .env), then the
    top-level `name:` (interpolated), then the compose file's folder, normalised."""
    for candidate in (option, scope.get("COMPOSE_PROJECT_NAME"), top_level_name):
        if candidate and normalize_project_name(candidate):
            return normalize_project_name(candidate)
    return normalize_project_name(folder.name)


def real_volume_name(project: str, key: str, spec: Any) -> str:
    """`<project>_<key>`, unless the volume sets `name:` or is external (then its key or external name)."""
    spec = spec if isinstance(spec, Mapping) else {}
    if spec.get("name"):
        return str(spec["name"])
    external = spec.get("external")
    if isinstance(external, Mapping) and external.get("name"):
        return str(external["name"])
    if external:
        return key
    return f"{project}_{key}"
