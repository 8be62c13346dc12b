"""What the set-up IS, read from the project model before anything runs: which containers the project starts
that drive Docker themselves (the outer containers), which daemon each one talks to, the image they run
and the Dockerfile that builds it. The design checks (checks/setup_design.py, checks/volume_design.py) and
`dind-doctor map` read this; nothing here parses a file (the scripts, compose and Dockerfile parts of the
ProjectModel do).

A script is assumed to run from its own folder (the seed's run_host.ps1 and build_host.ps1 do): that is
where `${pwd}` and a relative build context point.
"""
from __future__ import annotations

from ..records import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from .docker_commands import Bind, DockerCommand, is_socket, resolved_binds

if TYPE_CHECKING:
    from .compose_model import ComposeProject, Service
    from .project_model import ProjectModel
    from .scripts import ScriptSource

DIND_IMAGES = ("docker:dind", "docker:stable-dind", "docker:rootless")


@dataclass(frozen=True)
class Outer:
    """A container the project starts that drives Docker: `docker run` in a script, or a compose service."""

    rel: str  # the file that starts it, relative to the project root
    line: int  # where it is started (the `docker run` line, the service's line)
    label: str  # `docker run python-dind:3.12-slim`, `service airflow`
    daemon: str  # "host" (the socket is mounted: DooD), "own" (a dockerd of its own: DinD), "tcp://..."
    socket_line: int | None = None
    privileged_line: int | None = None
    image: str | None = None
    dockerfile: Path | None = None  # the Dockerfile that builds its image, when the project says
    binds: tuple[Bind, ...] = ()  # host path -> container path (scripts only)
    env: tuple[str, ...] = ()  # variable names it receives
    command: DockerCommand | None = field(default=None, compare=False)
    service: "Service | None" = field(default=None, compare=False)

    @property
    def dood(self) -> bool:
        return self.daemon == "host"


def script_sources(model: "ProjectModel") -> list["ScriptSource"]:
    """The script files of every dialect (not Markdown examples: the user runs files)."""
    return model.scripts.files_of_every_dialect()


def _word_line(cmd: DockerCommand, *values: str) -> int | None:
    return next((w.line for w in cmd.words if w.value.partition("=")[0] in values), None)


def built_images(model: "ProjectModel") -> dict[str, Path]:
    """Image -> the Dockerfile that builds it: a script's `docker build -t IMAGE` (context and `-f` relative
    to the script), then a compose service's build. One pass over the commands (looked up per container)."""
    found: dict[str, Path] = {}
    for source in script_sources(model):
        for cmd in source.docker_commands:
            if cmd.subcommand == "build":
                base = source.path.parent
                context = (base / (cmd.build_context or ".")).resolve()
                dockerfile = (base / cmd.dockerfile).resolve() if cmd.dockerfile else context / "Dockerfile"
                for tag in cmd.tags:
                    if dockerfile.is_file():
                        found.setdefault(tag, dockerfile)
    for project in model.compose:
        for service in project.services.values():
            if service.build and service.build.dockerfile:
                found.setdefault(service.image, service.build.dockerfile)
    return found


def _script_outer(built: dict[str, Path], source: "ScriptSource", cmd: DockerCommand) -> Outer | None:
    host = cmd.env.get("DOCKER_HOST")
    if cmd.socket:
        daemon = "host"
    elif (cmd.image or "").split("@")[0] in DIND_IMAGES or (cmd.privileged and "dind" in (cmd.image or "")):
        daemon = "own"
    elif host and host.startswith("tcp://"):
        daemon = host
    else:
        return None
    socket_line = next((m.line for m in cmd.mounts if is_socket(m.mount.source) or is_socket(m.mount.target)), None)
    return Outer(source.rel, cmd.line, f"docker {cmd.subcommand} {cmd.image or '(no image)'}", daemon, socket_line,
                 _word_line(cmd, "--privileged") if cmd.privileged else None, cmd.image,
                 built.get(cmd.image or ""), _binds(source, cmd),
                 tuple(sorted(cmd.env)), command=cmd)


def _binds(source: "ScriptSource", cmd: DockerCommand) -> tuple[Bind, ...]:
    """The command's binds run from the script's folder, or from its parent when only that makes every
    (non-socket) source an existing path (the convention `levels` follows: host_run.find_host_run)."""
    here = source.path.parent
    for run_from in (here, here.parent):
        binds = tuple(resolved_binds(cmd, run_from, here))
        if all(is_socket(b.source) or Path(b.source).exists() for b in binds):
            return binds
    return tuple(resolved_binds(cmd, here, here))


def _service_outer(model: "ProjectModel", project: "ComposeProject", service: "Service") -> Outer | None:
    sockets = [m for m in service.mounts if is_socket(m.source) or is_socket(m.target)]
    image = service.image.split("@")[0]
    if sockets:
        daemon = "host"
    elif image in DIND_IMAGES:
        daemon = "own"
    else:
        return None
    rel = model.files.rel(service.origin.file)
    privileged = raw_service(project, service.name).get("privileged") is True
    return Outer(rel, service.origin.line or 1, f"service {service.name}", daemon,
                 sockets[0].origin.line if sockets else None,
                 project.line_of("services", service.name, "privileged") if privileged else None,
                 service.image, service.build.dockerfile if service.build else None,
                 env=service.env_keys, service=service)


def raw_service(project: "ComposeProject", name: str) -> dict[str, Any]:
    """A service of the main compose file as written (structure only: `command`, `privileged`)."""
    services = project.raw.get("services") if isinstance(project.raw, dict) else None
    value = services.get(name) if isinstance(services, dict) else None
    return value if isinstance(value, dict) else {}


def outer_containers(model: "ProjectModel") -> list[Outer]:
    """Every container the project starts that drives Docker (socket mounted, or a dind image)."""
    found: list[Outer] = []
    built = built_images(model)
    for source in script_sources(model):
        for cmd in source.docker_commands:
            if cmd.starts_container:
                outer = _script_outer(built, source, cmd)
                if outer is not None:
                    found.append(outer)
    for project in model.compose:
        for service in project.services.values():
            outer = _service_outer(model, project, service)
            if outer is not None:
                found.append(outer)
    return found


def compose_seen_from(outer: Outer, project: "ComposeProject") -> str | None:
    """The compose project's folder as the outer container sees it (None: not brought in by a bind)."""
    from .host_run import path_through_binds

    return path_through_binds(outer.binds, project.dir)


def in_folder(path: str, folder: str) -> bool:
    return PurePosixPath(path).is_relative_to(folder)
