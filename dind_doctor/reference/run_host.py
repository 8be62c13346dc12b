"""run_host as run-reference starts it, read from the shipped hosted/run_host.sh by the one docker-command
reader (project/docker_commands): the script is the only description of how the outer container starts.

dood is the script's `docker run` that mounts the daemon's socket (no --privileged); dind is its
`--privileged` one. Both map the module folder (hosted/, run from the folder above it) somewhere in the
outer container: run-reference maps its working copy there and works in that folder.
"""
from __future__ import annotations

from ..records import dataclass
from functools import lru_cache
from pathlib import Path

from ..project.docker_commands import docker_commands, is_socket, resolved_binds
from .project import shipped_module
from .timeline import StageFailed

SCRIPT = "run_host.sh"


@dataclass(frozen=True)
class RunHost:
    module_target: str  # where the module folder is mapped in the outer container (/home/hosted)
    sockets: tuple[tuple[str, str], ...]  # (host socket, path in the container): dood's socket mount
    privileged: bool

    @property
    def workdir(self) -> str:
        return self.module_target


def read_run_host(text: str, module: Path, mode: str) -> RunHost:
    """The `mode` (dood or dind) `docker run` of run_host.sh's text, the script sitting in `module`."""
    runs = [c for c in docker_commands(text, "bash") if c.subcommand == "run"]
    cmd = next((c for c in runs if (c.socket and not c.privileged if mode == "dood" else c.privileged)), None)
    if cmd is None:
        raise StageFailed(f"{SCRIPT} has no `docker run` for {mode} mode (a socket mount for dood, "
                          "--privileged for dind)")
    binds = resolved_binds(cmd, module.parent, module)
    target = next((b.target for b in binds if Path(b.source) == module), None)
    if target is None:
        raise StageFailed(f"the {mode} `docker run` of {SCRIPT} does not map the module folder {module.name}/")
    sockets = tuple((b.source, b.target) for b in binds if is_socket(b.source))
    return RunHost(target, sockets, cmd.privileged)


@lru_cache(maxsize=2)
def run_host(mode: str) -> RunHost:
    module = shipped_module()
    try:
        text = (module / SCRIPT).read_text(encoding="utf-8")
    except OSError as exc:
        raise StageFailed(f"cannot read the shipped {SCRIPT}: {exc.strerror or exc}") from None
    return read_run_host(text, module, mode)
