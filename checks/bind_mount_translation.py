"""bind-mount-translation: will each bind source of the compose model reach the daemon as the same files?"""
from __future__ import annotations

import posixpath
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any

from dind_doctor.check import Check
from dind_doctor.context import Context
from dind_doctor.model import Finding, Fix, Level, Location, Status, fixes
from dind_doctor.engine.errors import ProbeError
from dind_doctor.engine.probes import run_probe

if TYPE_CHECKING:
    from dind_doctor.nesting import NestingReport
    from dind_doctor.project.compose_model import ComposeProject, Service, ServiceMount

VAR = "HOST_PROJECT_DIR"


def _has_bind(project: "ComposeProject") -> bool:
    """Does any service mount a host path? (Only those projects are worth `docker compose config`.)"""
    return any(m.kind == "bind" for s in project.services.values() for m in s.mounts)


def host_dir_fixes(compose_dir_host: str | None, rel: str, target: str) -> tuple[Fix, ...]:
    """The two fixes, written for each shell: pass the host path in, or use a named volume."""
    compose_line = f"      - ${{{VAR}}}/{rel}:{target}" if rel != "." else f"      - ${{{VAR}}}:{target}"
    named = (f"2) Or use a named volume instead of the bind (compose file: `- code:{target}` and a top-level "
             f"`volumes: {{code: {{}}}}`), filled with `dind-doctor sync-volume <project>_code <folder>`.")
    first = (f"1) Pass the host path into the outer container and use it in the compose file:\n{compose_line}\n"
             "   and start the outer container with ")
    # The value is the folder as the daemon's host names it: known when this container's mounts tell,
    # else written the way each shell expands "the hosted folder under the current folder".
    by_shell = {"powershell": "${PWD}/hosted", "cmd": "%cd%\\hosted", "bash": "$PWD/hosted"}
    return fixes(**{shell: first + f'-e {VAR}="{compose_dir_host or value}"\n' + named
                    for shell, value in by_shell.items()})


class BindMountTranslation(Check):
    """Maps every bind-mount source of the project's compose files to the path the daemon will look up.

    A bind source is resolved by the DAEMON, on its own host. `docker compose` makes `./app` absolute on
    the client side: inside the outer container that is `/home/hosted/app`, and under Docker-out-of-Docker
    (the socket mounted in) the host's daemon then mounts the HOST's `/home/hosted/app`: an empty folder it
    creates on the spot (moby/moby#16860), not the project. `build: context: .` and `env_file` are not
    affected: the client reads them and sends their content.

    At the dood level the check finds its own container (cgroup v1, cgroup v2 via mountinfo, hostname as
    a last resort), inspects it, and translates each source through the mount whose destination is its
    longest prefix. Each source is then:
    - ok when it means the same files on both sides (the outer container mounts the folder at the same
      path), or when it was passed in as a host path (`${HOST_PROJECT_DIR}/app`) and a labelled probe
      container sees it on the daemon's side;
    - fail when the daemon will look up another folder (the translated path is printed), or when there is
      no daemon-side path at all (the folder lives in this container's image or in a named volume).
    Fixes, written for your shell: pass the host path in (`-e HOST_PROJECT_DIR=...` on the outer
    `docker run`, `${HOST_PROJECT_DIR}/app` in the compose file), or use a named volume.
    At the host level paths are the daemon's own; at dind (a dockerd in this container) too; remote
    daemons look paths up on their machine.

    Airflow's DockerOperator follows the same rule: with `mount_tmp_dir=True` (the default) it bind-mounts
    a temporary folder created in the Airflow container (`/tmp/airflowtmp...`). Under DooD the daemon looks
    for it on the host: `bind source path does not exist: /tmp/airflowtmp...`. Set `mount_tmp_dir=False`
    (apache/airflow#16806), and mount named volumes by their real name (`<project>_<volume>`) rather than
    container paths. Its `env_file` argument takes the file's CONTENT, not a path.
    """

    id = "bind-mount-translation"
    title = "Bind-mount sources as the daemon will see them (DooD path translation)"
    needs_engine = True
    time_limit = 45.0

    def warm(self, ctx: Context) -> None:
        from dind_doctor.compose_cli import resolved_projects

        resolved_projects(ctx, [p for p in ctx.project_model.compose if not p.error and _has_bind(p)])

    def run(self, ctx: Context) -> list[Finding]:
        from dind_doctor.compose_cli import resolved_project

        projects = [p for p in ctx.project_model.compose if not p.error and _has_bind(p)]
        if not projects:
            return [self.finding(Status.SKIP, "no bind mount in the project's compose files")]
        report = ctx.nesting()
        findings: list[Finding] = []
        for project in projects:
            model = resolved_project(ctx, project)
            for service in model.services.values():
                for mount in service.mounts:
                    if mount.kind == "bind":
                        findings.append(self._one(ctx, report, model, service, mount))
        return findings

    def _one(self, ctx: Context, report: NestingReport, model: ComposeProject, service: Service,
             mount: ServiceMount) -> Finding:
        from dind_doctor.levels.translate import translate

        where = f"{service.name}: {mount.raw_source or mount.source}:{mount.target}"
        location = Location(ctx.project_model.files.rel(mount.origin.file), mount.origin.line)
        evidence = {"service": service.name, "as written": mount.raw_source, "compose sends": mount.source,
                    "level": report.level.value}
        if report.level is not Level.DOOD:
            t = translate(mount.source, report)
            evidence["daemon looks up"] = t.daemon_path or "?"
            status = Status.OK if t.daemon_path else Status.WARN
            return self.finding(status, f"{where}: {t.reason}", evidence=evidence, location=location)
        if mount.passed_in:
            return self._probe(ctx, where, mount, evidence, location)
        t = translate(mount.source, report)
        evidence["daemon-side path of these files"] = t.daemon_path or "none"
        evidence["own container"] = (report.container_id or "?")[:12]
        if t.same:
            return self.finding(Status.OK, f"{where}: same path on the daemon's host ({t.reason})",
                                evidence=evidence, location=location)
        compose_dir = translate(str(model.dir), report)
        inside = PurePosixPath(mount.source).is_relative_to(str(model.dir))  # not a mere string prefix
        rel = posixpath.relpath(mount.source, str(model.dir)) if inside else "."
        if t.daemon_path is not None:
            summary = (f"{where}: the daemon will mount ITS {mount.source}, not these files; "
                       f"on the daemon's host they are {t.daemon_path}")
        else:
            summary = f"{where}: {mount.source} has no daemon-side path ({t.reason})"
        return self.finding(
            Status.FAIL, summary,
            detail="Compose made the path absolute in this container and hands it to the host's daemon, which "
                   "looks it up on ITS host: an empty folder is mounted (or created) instead.",
            evidence=evidence, location=location,
            fixes=host_dir_fixes(compose_dir.daemon_path, rel, mount.target))

    def _probe(self, ctx: Context, where: str, mount: ServiceMount, evidence: dict[str, Any],
               location: Location) -> Finding:
        """A passed-in host path: a labelled probe proves the daemon sees it (a --mount never creates it)."""
        from docker.types import Mount

        try:
            result = run_probe(ctx, ["sh", "-c", "ls -A /probe | head -n 20"], component="bind-probe",
                               mounts=[Mount("/probe", mount.source, type="bind", read_only=True)])
        except ProbeError as exc:
            evidence["daemon"] = str(exc)
            if "does not exist" in str(exc):
                return self.finding(Status.FAIL, f"{where}: {mount.source} does not exist on the daemon's host",
                                    detail="The variable holds a path the daemon cannot find: pass the HOST "
                                           "path of the folder (as the outer `docker run` saw it).",
                                    evidence=evidence, location=location)
            return self.finding(Status.ERROR, f"{where}: the probe failed: {exc}", evidence=evidence,
                                location=location)
        evidence["probe sees"] = ", ".join(result.output.split()[:10]) or "an empty folder"
        status = Status.OK if result.exit_code == 0 and result.output.strip() else Status.WARN
        return self.finding(status, f"{where}: a host path passed in; a probe container sees "
                                    f"{'it' if status is Status.OK else 'an EMPTY folder'} on the daemon's side",
                            evidence=evidence, location=location)
