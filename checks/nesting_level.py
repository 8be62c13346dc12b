"""nesting-level: host, DooD, DinD or remote — and the privileged-mode traps of each."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from dind_doctor.check import Check
from dind_doctor.context import Context
from dind_doctor.model import Finding, Level, Status, fixes, same_fix
from dind_doctor.dind_workaround import cli_flags
from dind_doctor.engine.errors import ImageUnavailable, ProbeError
from dind_doctor.engine.probes import ProbeResult, run_probe

if TYPE_CHECKING:
    from dind_doctor.nesting import NestingReport

DIND_WORKAROUND = cli_flags("dind-storage")


def _settled(report: NestingReport) -> bool:
    """A DooD container that runs privileged itself: the daemon it drives does start privileged containers."""
    return report.level is Level.DOOD and bool(report.privileged)


PROBE_COMMAND = ["true"]
# No network: `true` needs none, and a bridge endpoint is most of a start's cost.
PROBE_OPTIONS: dict[str, Any] = {"privileged": True, "network_mode": "none"}
CAP_SYS_ADMIN = 21  # its bit in /proc/self/status CapEff


def _may_be_settled(ctx: Context) -> bool:
    """Could this process be a privileged container on its own daemon (then no probe runs)? Asked without
    the daemon, before docker-py is imported: only a container holding CAP_SYS_ADMIN can (every privileged
    container holds it)."""
    if not ctx.container_clues().in_container:
        return False
    try:
        with open("/proc/self/status", encoding="ascii", errors="replace") as fh:
            caps = next((line.split()[1] for line in fh if line.startswith("CapEff:")), None)
        return caps is None or bool(int(caps, 16) >> CAP_SYS_ADMIN & 1)
    except (OSError, ValueError, IndexError):
        return True


def privileged_outcome(ctx: Context) -> ProbeResult | ProbeError:
    """The privileged probe's result or the reason it could not run, once per run: its container started
    by the prestart hook over the raw socket (unix sockets) or by the warm hook, read by the check."""
    def probe() -> ProbeResult | ProbeError:
        try:
            return run_probe(ctx, PROBE_COMMAND, early=True, **PROBE_OPTIONS)
        except ProbeError as exc:
            return exc

    return ctx.memo("privileged probe", probe)


class NestingLevel(Check):
    """Tells where dind-doctor runs relative to the daemon it talks to, and why it thinks so.

    - host: not in a container (no /.dockerenv, /run/.containerenv, container id in cgroup or mountinfo).
    - dood (Docker-out-of-Docker): in a container that drives the daemon which runs it, through a mounted
      socket or tcp://host.docker.internal:2375. Containers it starts are its SIBLINGS on the host: bind
      mount sources are looked up on the host, not in this container.
    - dind (Docker-in-Docker): in a container whose daemon is not the one that runs it: its own dockerd,
      or a dind sidecar. Volumes and images live on that inner daemon.
    - remote: the daemon is on another machine.

    The seed's `run_host.ps1` mounts the socket AND passes `--privileged`: that is DooD, and privileged
    only widens what a compromised container can do to the host. Drop it. Some engines refuse privileged
    containers altogether (rootless engines, microVMs, hosts whose capability bounding set lacks
    CAP_SYS_RESOURCE: "unable to apply caps: operation not permitted"); true DinD still runs there with
    the capability list printed in the fix. The check starts one labelled privileged probe to find out
    (no network, started while docker-py is imported and the project checks run), except in a DooD container that itself runs
    privileged on the daemon: that settles it.
    """

    id = "nesting-level"
    title = "Nesting level (host, DooD, DinD, remote) and privileged mode"
    time_limit = 30.0

    def run(self, ctx: Context) -> list[Finding]:
        report = ctx.nesting()
        evidence = dict(report.evidence)
        findings = [self.finding(Status.OK, f"level {report.level.value}: {report.reason}", evidence=evidence)]
        if report.level is Level.DOOD and report.privileged:
            findings.append(self.finding(
                Status.WARN, "this container drives the host daemon through its socket AND runs --privileged",
                detail="A socket mount is all Docker-out-of-Docker needs. --privileged additionally gives this "
                       "container every capability and every host device: drop it.",
                evidence={"HostConfig.Privileged": True},
                fixes=same_fix("Remove --privileged from the `docker run` that starts this container "
                               "(in the seed: run_host.ps1).")))
        if report.level is Level.CONTAINER:
            findings[0] = self.finding(Status.WARN, f"level unknown: {report.reason}", evidence=evidence)
        if not ctx.engine_error:
            findings.extend(self._privileged_probe(ctx, report))
        return findings

    def prestart(self, ctx: Context) -> None:
        # Settled after all (a privileged DooD container without CAP_SYS_ADMIN in its own set, e.g. a
        # non-root user in it): the run's cleanup removes the unclaimed container by its labels.
        from dind_doctor.engine.early_container import start_early

        if not _may_be_settled(ctx):
            start_early(ctx, PROBE_COMMAND, **PROBE_OPTIONS)

    def warm(self, ctx: Context) -> None:
        if not _settled(ctx.nesting()):
            privileged_outcome(ctx)

    def _privileged_probe(self, ctx: Context, report: NestingReport) -> list[Finding]:
        if _settled(report):
            return [self.finding(Status.OK, "privileged containers can start on this engine",
                                 evidence={"probe": "not run: this container itself runs privileged on the same "
                                                    "daemon (HostConfig.Privileged)"})]
        result = privileged_outcome(ctx)
        if isinstance(result, ImageUnavailable):
            return [self.finding(Status.SKIP, f"privileged mode not probed: {result}")]
        if isinstance(result, ProbeError):
            reason = str(result)
            return [self.finding(
                Status.WARN, "privileged containers cannot start on this engine",
                detail=f"The daemon said: {reason}. `docker run --privileged` (the seed's run_host.ps1, "
                       "docker:dind) fails here. A socket mount (DooD) needs no privilege; for a real inner "
                       "daemon use the capability list below instead of --privileged.",
                evidence={"probe": "docker run --privileged", "daemon": reason},
                fixes=fixes(bash=f"docker run -d {DIND_WORKAROUND} docker:dind",
                            powershell=f'docker run -d {DIND_WORKAROUND.replace(chr(39), chr(34))} docker:dind',
                            cmd=f'docker run -d {DIND_WORKAROUND.replace(chr(39), chr(34))} docker:dind'))]
        if result.exit_code != 0:
            return [self.finding(Status.WARN, f"a privileged probe started but exited {result.exit_code}",
                                 evidence={"output": result.output[-300:]})]
        return [self.finding(Status.OK, "privileged containers can start on this engine",
                             evidence={"probe": "docker run --privileged ... true: exit 0"})]
