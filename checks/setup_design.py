"""setup-design: what the set-up IS (Docker-out-of-Docker or Docker-in-Docker), read from the run scripts,
compose files and Dockerfiles before anything runs."""
from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable

from dind_doctor.airflow.project import is_airflow_service
from dind_doctor.check import Check
from dind_doctor.context import Context
from dind_doctor.model import Finding, Location, Status, fixes, same_fix
from dind_doctor.project.file_names import is_dockerfile_name
from dind_doctor.project.setup_model import Outer, compose_seen_from, outer_containers, raw_service, script_sources

if TYPE_CHECKING:
    from dind_doctor.project.dockerfile_model import Dockerfile

ENGINE_PACKAGES = re.compile(r"(?<![\w.-])(docker-ce|containerd\.io|docker\.io|moby-engine)(?![\w./-])")
BOTH_WAYS = same_fix(
    "Either keep Docker-out-of-Docker and drop the isolation wish: the module containers run on the host's "
    "daemon, next to the outer one, and see the host's paths, volumes and images.\n"
    "Or switch to real Docker-in-Docker (an inner dockerd the module containers run on): "
    "`dind-doctor run-reference --mode dind` shows it working here, with the capability workaround where "
    "--privileged is refused.")


class SetupDesign(Check):
    """What your set-up really is, before anything runs.

    - Docker-out-of-Docker, not Docker-in-Docker: a run script (`-v //var/run/docker.sock:/var/run/docker.sock`)
      or a compose service mounts the host's socket. The outer container then drives the HOST's daemon: the
      containers it starts (your modules) are its siblings on the host, sharing the host's images, volumes
      and paths. None of the isolation of Docker-in-Docker. Two ways out: keep DooD and drop the isolation
      wish, or run a real inner daemon (`dind-doctor run-reference --mode dind` shows one working).
    - `--privileged` (or `privileged: true`) next to a mounted socket: root on the host, and DooD does not
      need it (the live nesting-level check says the same from inside the container).
    - The outer image installs a whole engine it never runs (`docker-ce`, `containerd.io`): under DooD only
      the CLI and the compose plugin are used (`docker-ce-cli docker-compose-plugin`). `EXPOSE 2375`
      publishes nothing and suggests an unauthenticated API; `DOCKER_TLS_CERTDIR=""` only matters to a
      dockerd that never starts.
    - Bind mounts that resolve on the wrong host: the run script brings the compose folder into the outer
      container (`-v ${pwd}/hosted:/home/hosted`); compose there makes `./app` absolute as
      `/home/hosted/app`, and the HOST's daemon mounts the host's `/home/hosted/app`: an empty folder it
      creates. (bind-mount-translation proves it live from inside the outer container.)
    - `DOCKER_HOST=tcp://...:2375` written in a compose `environment:`, a Dockerfile `ENV` or a script's
      `-e`: the API without TLS, root on the daemon's host for whoever reaches the port (the live port-2375
      check looks at listeners).
    - A daemon a compose service exposes without TLS: `dockerd -H tcp://...:2375` in its `command:`, or
      docker:dind with `DOCKER_TLS_CERTDIR` empty (it then listens on 2375 instead of 2376 with TLS): warn,
      and fail when the service publishes 2375 on every interface.
    """

    id = "setup-design"
    title = "What the set-up is: DooD or DinD, privileged, engine in the outer image, wrong-host binds"
    project_check = True

    def run(self, ctx: Context) -> list[Finding]:
        model = ctx.project_model
        outers = outer_containers(model)
        findings: list[Finding] = []
        for outer in outers:
            if outer.dood:
                findings.append(self._dood(outer))
                findings.extend(self._privileged(outer))
                findings.extend(self._engine(ctx, outer))
                findings.extend(self._wrong_host_binds(ctx, outer))
        findings.extend(self._tcp_2375(ctx))
        findings.extend(self._exposed_daemons(ctx))
        if not findings:
            kinds = ", ".join(sorted({o.daemon if not o.dood else "host socket" for o in outers})) or "none"
            findings.append(self.finding(Status.OK, "no Docker-out-of-Docker design risk in the project's files",
                                         evidence={"containers that drive Docker": len(outers), "daemons": kinds}))
        return findings

    def _dood(self, outer: Outer) -> Finding:
        return self.finding(
            Status.WARN, f"{outer.label} mounts the host's Docker socket: this is Docker-out-of-Docker, "
                         "not Docker-in-Docker",
            location=Location(outer.rel, outer.socket_line or outer.line),
            detail="The outer container has no daemon of its own: every `docker` or `docker compose` it runs is "
                   "executed by the HOST's daemon. The module containers are siblings of the outer container on "
                   "the host: no isolation, host paths for bind mounts, host-wide volume and container names.",
            evidence={"started by": f"{outer.rel}:{outer.line}", "daemon": "the host's (socket mounted)"},
            fixes=BOTH_WAYS)

    def _privileged(self, outer: Outer) -> list[Finding]:
        if outer.privileged_line is None:
            return []
        location = Location(outer.rel, outer.privileged_line)
        if outer.command is not None:
            kept = " ".join(w.text for w in outer.command.words if w.value != "--privileged")
            fix = fixes(powershell=kept, cmd=kept, bash=kept) + same_fix(f"Remove --privileged from {location}.")
        else:
            fix = same_fix(f"Remove `privileged: true` ({location}).")
        return [self.finding(
            Status.WARN, f"{outer.label} is privileged AND mounts the socket: root on the host, for nothing",
            location=location,
            detail="A mounted socket is all Docker-out-of-Docker needs. --privileged adds every capability and "
                   "every host device; a compromised outer container then owns the host.",
            evidence={"socket": f"{outer.rel}:{outer.socket_line}"}, fixes=fix)]

    def _engine(self, ctx: Context, outer: Outer) -> list[Finding]:
        if outer.dockerfile is None:
            return []
        parsed = ctx.project_model.dockerfiles.get(outer.dockerfile)
        if parsed is None:
            return []
        rel = ctx.project_model.files.rel(outer.dockerfile)
        findings: list[Finding] = []
        envs = {f"{rel}:{i.line}": " ".join(i.args) for i in parsed.instructions if i.keyword == "ENV"
                and any(a.startswith(("DOCKER_HOST", "DOCKER_TLS_CERTDIR")) for a in i.args)}
        for instr in parsed.instructions:
            found = sorted(set(ENGINE_PACKAGES.findall(instr.text))) if instr.keyword == "RUN" else []
            if found:
                findings.append(self.finding(
                    Status.WARN, f"the outer image installs a whole engine it never runs ({', '.join(found)})",
                    location=Location(rel, instr.line),
                    detail=f"{outer.label} drives the host's daemon through the socket: only the docker CLI and "
                           "the compose plugin are used. The daemon packages add hundreds of MB and suggest a "
                           "Docker-in-Docker that does not happen.",
                    evidence={"image": outer.image or "?", **envs},
                    fixes=same_fix("Install the client only: `apt-get install -y docker-ce-cli "
                                   "docker-compose-plugin` (and drop the ENV DOCKER_TLS_CERTDIR line).")))
            if instr.keyword == "EXPOSE" and any(a.split("/")[0] == "2375" for a in instr.args):
                findings.append(self.finding(
                    Status.WARN, "EXPOSE 2375 in the outer image: nothing listens there, and it suggests an "
                                 "unauthenticated Docker API", location=Location(rel, instr.line),
                    detail="No dockerd runs in this image (the host's daemon is reached through the socket). "
                           "EXPOSE publishes nothing by itself; a -p 2375:2375 added later would expose the "
                           "API without TLS.",
                    fixes=same_fix(f"Delete the line {rel}:{instr.line}.")))
        return findings

    def _wrong_host_binds(self, ctx: Context, outer: Outer) -> list[Finding]:
        from dind_doctor.checks.bind_mount_translation import host_dir_fixes

        findings: list[Finding] = []
        for project in ctx.project_model.compose:
            seen = compose_seen_from(outer, project)
            if seen is None or project.error or seen == project.dir.as_posix():
                continue  # not brought in by a bind, or at the same path on both sides (`-v $PWD:$PWD`)
            for service in project.services.values():
                for mount in service.mounts:
                    if mount.kind != "bind" or mount.passed_in:
                        continue
                    try:
                        rel = Path(mount.source).relative_to(project.dir).as_posix()
                    except ValueError:
                        rel = None
                    looked_up = f"{seen}/{rel}".replace("/.", "") if rel is not None else mount.source
                    findings.append(self.finding(
                        Status.FAIL, f"{service.name}: {mount.raw_source}:{mount.target} will be looked up on the "
                                     f"host as {looked_up}, not as these files",
                        location=Location(ctx.project_model.files.rel(mount.origin.file), mount.origin.line),
                        detail=f"{outer.rel}:{outer.line} brings {project.rel} into the outer container at {seen}; "
                               "compose there makes the source absolute in the outer container and hands it to "
                               "the HOST's daemon, which mounts (or creates empty) its own folder of that name.",
                        evidence={"outer container": outer.label, "compose folder inside it": seen,
                                  "daemon looks up": looked_up},
                        fixes=host_dir_fixes(None, rel or ".", mount.target)))
        return findings

    def _tcp_2375(self, ctx: Context) -> list[Finding]:
        model = ctx.project_model
        found: list[tuple[str, int | None, str]] = []
        for project in model.compose:
            for name in project.services:  # an Airflow service's: airflow-daemon-access says it
                if is_airflow_service(name, raw_service(project, name)):
                    continue
                for key, value, index in _environment(raw_service(project, name)):
                    if key == "DOCKER_HOST":
                        line = project.line_of("services", name, "environment", *( [index] if index is not None
                                                                                 else [key]))
                        found.append((project.rel, line, value))
        for path in model.files.with_name(is_dockerfile_name):
            parsed = model.dockerfiles.get(path)
            found += [(model.files.rel(path), line, value) for line, value in _dockerfile_hosts(parsed)]
        for source in script_sources(model):
            for cmd in source.docker_commands:
                if cmd.env.get("DOCKER_HOST"):
                    found.append((source.rel, _env_line(cmd), cmd.env["DOCKER_HOST"] or ""))
        from dind_doctor.checks.airflow_daemon_access import plain_tcp

        plain = ((rel, line, plain_tcp(value)) for rel, line, value in found)
        return [self._tcp_finding(rel, line, f"tcp://{hp[0]}:{hp[1]}") for rel, line, hp in plain if hp]

    def _exposed_daemons(self, ctx: Context) -> list[Finding]:
        """A daemon a compose service starts that listens on TCP without TLS: `dockerd -H tcp://...` in its
        `command:`, or docker:dind with `DOCKER_TLS_CERTDIR` empty (its entry point then listens on
        tcp://0.0.0.0:2375 instead of 2376 with TLS)."""
        from dind_doctor.checks.airflow_daemon_access import plain_tcp

        findings = []
        for project in ctx.project_model.compose:
            for name in project.services:
                spec = raw_service(project, name)
                command = spec.get("command")
                text = " ".join(map(str, command)) if isinstance(command, list) else str(command or "")
                if "--tls" not in text:  # --tlsverify, --tlscert...: the daemon asks for TLS
                    for url in _DAEMON_TCP.findall(text):
                        hp = plain_tcp(url)
                        if hp:
                            findings.append(self._exposed(project, name, ("command",),
                                                          f"dockerd -H tcp://{hp[0]}:{hp[1]}", spec))
                if "dind" in str(spec.get("image") or "").lower():
                    for key, value, index in _environment(spec):
                        if key == "DOCKER_TLS_CERTDIR" and not value.strip().strip("\"'"):
                            findings.append(self._exposed(
                                project, name, ("environment", key if index is None else index),
                                "docker:dind with DOCKER_TLS_CERTDIR empty (tcp://0.0.0.0:2375)", spec))
        return findings

    def _exposed(self, project: Any, name: str, keys: tuple[Any, ...], what: str, spec: dict[str, Any]) -> Finding:
        published = _published_2375(spec)
        status = Status.FAIL if published == "all interfaces" else Status.WARN
        return self.finding(
            status, f"service {name}: {what}: a Docker API without TLS"
                    + (f", published on {published}" if published else ""),
            location=Location(project.rel, project.line_of("services", name, *keys)),
            detail="Whoever reaches that port is root on the daemon's host: no password, no certificate. "
                   + ("Published on every interface, it is reachable from the network." if status is Status.FAIL
                      else "Only containers on its network reach it today; one `ports:` line away from the LAN."),
            evidence={"service": name, "listens": what, "published": published or "no"},
            fixes=same_fix("Keep TLS: leave DOCKER_TLS_CERTDIR at docker:dind's default (/certs), share the client "
                           "certificates through a volume and connect with DOCKER_HOST=tcp://<service>:2376, "
                           "DOCKER_TLS_VERIFY=1, DOCKER_CERT_PATH=/certs/client; or share the daemon's socket "
                           "through a volume instead of TCP. Never publish 2375."))

    def _tcp_finding(self, rel: str, line: int | None, shown: str) -> Finding:
        return self.finding(
            Status.WARN, f"DOCKER_HOST={shown} is written here: the Docker API without TLS",
            location=Location(rel, line),
            detail="Port 2375 is the API without authentication: whoever reaches it is root on the daemon's host, "
                   "and every call (secrets in environment variables too) crosses the network in clear.",
            evidence={"DOCKER_HOST": shown},
            fixes=same_fix("Mount the socket instead (`- /var/run/docker.sock:/var/run/docker.sock`, "
                           "DOCKER_HOST=unix:///var/run/docker.sock), or use tcp://...:2376 with "
                           "DOCKER_TLS_VERIFY=1 and client certificates."))


# `-H tcp://...`, `--host tcp://...`, `--host=tcp://...` in a dockerd command line.
_DAEMON_TCP = re.compile(r"(?:^|\s)(?:-H|--host)(?:=|\s+)(tcp://\S+)")


def _published_2375(service: dict[str, Any]) -> str | None:
    """Where a service publishes container port 2375: "all interfaces", "loopback", or None."""
    where = None
    for entry in service.get("ports") or ():
        if isinstance(entry, dict):
            target, host_ip = str(entry.get("target", "")), str(entry.get("host_ip", ""))
        else:
            parts = str(entry).split("/")[0].rsplit(":", 2)
            target = parts[-1]
            host_ip = parts[0] if len(parts) == 3 else ""
        if target == "2375":
            if host_ip.strip("[]") not in ("127.0.0.1", "::1", "localhost"):
                return "all interfaces"
            where = "loopback"
    return where


def _environment(service: dict[str, Any]) -> Iterable[tuple[str, str, int | None]]:
    """(key, value, list index) of a service's `environment:` as written (list or mapping)."""
    env = service.get("environment")
    if isinstance(env, dict):
        for key, value in env.items():
            yield str(key), "" if value is None else str(value), None
    elif isinstance(env, list):
        for index, item in enumerate(env):
            key, _, value = str(item).partition("=")
            yield key, value, index


def _dockerfile_hosts(parsed: "Dockerfile | None") -> list[tuple[int, str]]:
    found = []
    for instr in parsed.instructions if parsed is not None else []:
        if instr.keyword != "ENV":
            continue
        args = list(instr.args)
        if len(args) >= 2 and "=" not in args[0]:  # legacy `ENV KEY value`
            args = [f"{args[0]}={' '.join(args[1:])}"]
        found += [(instr.line, a.partition("=")[2]) for a in args if a.partition("=")[0] == "DOCKER_HOST"]
    return found


def _env_line(cmd: Any) -> int | None:
    return next((w.line for w in cmd.words if "DOCKER_HOST=" in w.value), cmd.line)

