"""The project's run script (run_host.ps1, run_host.sh...): the `docker run` that starts the outer container,
taken from the one docker-command reader, with its host paths resolved from the folder it is run from.

`levels` starts a stand-in for the outer container this way (same binds, socket, variables, working
folder); run-reference reads the shipped hosted/run_host.sh the same way.
"""
from __future__ import annotations

import re
from ..records import dataclass
from pathlib import Path, PurePosixPath

from .docker_commands import Bind, DockerCommand, is_socket, resolved_binds
from .scripts import ProjectScripts, ScriptSource

MAX_DEPTH = 3  # a run script sits at the top of the project or a folder or two below
# An image reference as `docker run` accepts it: no space, no quote (PowerShell's escaped space `" "` after a
# broken backtick continuation is no image: that command fails with `invalid reference format`).
IMAGE_REF = re.compile(r"^[\w][\w.\-/:@${}%]*$")


@dataclass(frozen=True)
class HostRun:
    script: Path
    run_from: Path  # the folder the script is meant to be run from
    command: DockerCommand
    binds: tuple[Bind, ...]

    @property
    def image(self) -> str:
        return self.command.image or ""

    @property
    def env(self) -> dict[str, str | None]:
        return self.command.env

    @property
    def workdir(self) -> str | None:
        return self.command.workdir

    @property
    def privileged(self) -> bool:
        return self.command.privileged

    @property
    def socket(self) -> bool:
        return self.command.socket

    def outer_path(self, host_path: Path) -> str | None:
        """The path in the outer container of a host file, through the longest bind source holding it."""
        return path_through_binds(self.binds, host_path)


def path_through_binds(binds: "tuple[Bind, ...] | list[Bind]", host_path: Path) -> str | None:
    """Where a host path appears in a container started with `binds`: through the longest bind source
    holding it; None when no bind brings it in."""
    best: Bind | None = None
    for bind in binds:
        src = Path(bind.source)
        if (host_path == src or src in host_path.parents) and \
                (best is None or len(src.parts) > len(Path(best.source).parts)):
            best = bind
    if best is None:
        return None
    rel = host_path.relative_to(best.source).as_posix()
    return str(PurePosixPath(best.target) / rel) if rel != "." else best.target


def host_runs(source: ScriptSource, run_from: Path) -> list[HostRun]:
    """The `docker run` commands of a script that start a container from an image, run from `run_from`."""
    return [HostRun(source.path, run_from, c, tuple(resolved_binds(c, run_from, source.path.parent)))
            for c in source.docker_commands if c.subcommand == "run" and IMAGE_REF.match(c.image or "")]


def find_host_run(scripts: ProjectScripts, root: Path) -> HostRun | None:
    """The first run script (by name run*, then any, shallowest first) whose `docker run` mounts sources
    that exist, read from the folder that holds them: the script's folder or its parent (the seed's scripts
    run from above hosted/)."""
    candidates = sorted((s for s in scripts.files_of_every_dialect()
                         if len(s.path.relative_to(root).parts) <= MAX_DEPTH),
                        key=lambda s: (not s.path.name.lower().startswith("run"), len(s.path.parts), str(s.path)))
    for source in candidates:
        for run_from in (source.path.parent, source.path.parent.parent):
            for run in host_runs(source, run_from):
                if all(Path(b.source).exists() for b in run.binds if not (is_socket(b.source) or is_socket(b.target))):
                    return run
    return None


def runs_without_image(scripts: ProjectScripts) -> list[str]:
    """`rel:line` of the `docker run` commands that name no image, as the shell runs them: the command ends
    before its image (in PowerShell, a backtick followed by a space ends it and passes the space)."""
    return [f"{source.rel}:{c.line}" for source in scripts.files_of_every_dialect()
            for c in source.docker_commands if c.subcommand == "run" and not IMAGE_REF.match(c.image or "")]
