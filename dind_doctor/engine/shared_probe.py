"""One probe container started before it is needed: the project folder mounted read-only, no network,
asleep. A check that must see a project folder from the daemon's side (pwd-path-forms: does a container
mounting it see a sentinel written here?) execs a command in it instead of creating, starting and removing
a container of its own after its analysis; the daemon starts this one while the project checks run.

It carries the run's labels and a name registered before the create, like every probe; it sleeps at most
LIFETIME seconds (a run killed with -9 leaves an exited container, which the next run's sweep removes).
Its user removes it when done (release); the run's cleanup removes it in every other path.
"""
from __future__ import annotations

import posixpath
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import DindDoctorError
from ..records import dataclass
from .errors import ProbeError, daemon_reason
from .probes import ProbeResult, create_labelled, remove_labelled

if TYPE_CHECKING:
    from ..context import Context

KEY = "shared probe"  # Context.memo key
MOUNT_POINT = "/dind-doctor-project"
LIFETIME = 600
COMPONENT = "shared-probe"


@dataclass(frozen=True)
class SharedProbe:
    container: Any
    host_root: Path  # the project folder here
    daemon_root: str  # the same folder as the daemon finds it

    def inside(self, host_path: Path, daemon_path: str) -> str | None:
        """Where `host_path` (which the daemon finds at `daemon_path`) is in the container, when the mount
        of the project holds it at the same relative place on both sides; else None."""
        try:
            rel = host_path.relative_to(self.host_root).as_posix()
        except ValueError:
            return None
        if posixpath.normpath(posixpath.join(self.daemon_root, rel)) != posixpath.normpath(daemon_path):
            return None  # mounted into this container from elsewhere: the project's mount does not show it
        return posixpath.normpath(posixpath.join(MOUNT_POINT, rel))

    def run(self, command: list[str]) -> ProbeResult:
        try:
            code, output = self.container.exec_run(command, stdout=True, stderr=True)
        except Exception as exc:
            raise ProbeError(daemon_reason(exc)) from exc
        return ProbeResult(int(code if code is not None else -1), (output or b"").decode("utf-8", errors="replace"))


def _start(ctx: "Context") -> SharedProbe | None:
    from docker.types import Mount

    from ..levels.translate import translate
    from ..model import Level

    report = ctx.nesting()
    t = translate(str(ctx.project), report)
    if t.daemon_path is None and report.level is Level.DOOD:
        return None  # the daemon cannot mount the project: the checks say so without a probe
    daemon_root = t.daemon_path or str(ctx.project)
    container = create_labelled(ctx, None, ["sleep", str(LIFETIME)], component=COMPONENT,
                                what="the shared probe container", network_mode="none",
                                mounts=[Mount(MOUNT_POINT, daemon_root, type="bind", read_only=True)])
    try:
        container.start()
    except Exception as exc:
        remove_labelled(ctx, container)
        raise ProbeError(daemon_reason(exc)) from exc
    return SharedProbe(container, ctx.project, daemon_root)


def shared_probe(ctx: "Context") -> SharedProbe | None:
    """The run's shared probe, started on first call; None when it cannot serve (no daemon-side path of
    the project, a daemon refusing the mount): the caller starts a probe of its own, which reports why."""
    def start() -> SharedProbe | None:
        try:
            return _start(ctx)
        except DindDoctorError:  # no engine, a refused create or start, the run cleaning up
            return None

    return ctx.memo(KEY, start)


def release(ctx: "Context") -> None:
    """Remove the shared probe now if it was started (waiting for a start in flight)."""
    probe = ctx.memo_peek(KEY)
    if probe is not None:
        remove_labelled(ctx, probe.container)
