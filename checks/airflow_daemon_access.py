"""airflow-daemon-access: how the Airflow worker reaches the daemon: plain TCP 2375, or a socket it may use."""
from __future__ import annotations

import os
import re
from typing import TYPE_CHECKING, Any

from dind_doctor.check import Check
from dind_doctor.context import Context
from dind_doctor.secret_rules import mask_url
from dind_doctor.model import Finding, Location, Status, same_fix

if TYPE_CHECKING:
    from dind_doctor.airflow.project import AirflowService

TCP = re.compile(r"tcp://(?P<host>\[[^\]]+\]|[^:/\s]+)(?::(?P<port>\d+))?")
LOCAL_HOSTS = ("localhost", "127.0.0.1", "[::1]", "host.docker.internal", "gateway.docker.internal")
TLS_ARGS = ("tls_ca_cert", "tls_client_cert", "tls_client_key")
SAFER = ("Safer than an API without TLS:\n"
         "1) the socket: `- /var/run/docker.sock:/var/run/docker.sock` on the Airflow services, "
         "`group_add: [\"<the socket's gid>\"]` (`stat -c %g /var/run/docker.sock` on the daemon's host), and no "
         "DOCKER_HOST (docker_url defaults to unix://var/run/docker.sock); then untick Docker Desktop's \"Expose "
         "daemon on tcp://localhost:2375 without TLS\";\n"
         "2) a socket proxy on an internal network that allows only what DockerOperator uses (containers and "
         "images endpoints, POST), e.g. `DOCKER_HOST: tcp://docker-proxy:2375` reachable by the Airflow services only;\n"
         "3) TLS on 2376: `DOCKER_HOST: tcp://HOST:2376`, `DOCKER_TLS_VERIFY: \"1\"`, `DOCKER_CERT_PATH`, or the "
         "operator's tls_ca_cert / tls_client_cert / tls_client_key.")


def plain_tcp(url: str) -> tuple[str, int] | None:
    """(host, port) of a tcp:// URL that speaks plain HTTP (port 2375, or no port: 2375 by default)."""
    match = TCP.search(url)
    if match is None:
        return None
    port = int(match.group("port") or 2375)
    return (match.group("host"), port) if port != 2376 else None


def user_ids(user: str | None, env: dict[str, str]) -> tuple[str, str | None]:
    """(uid, gid) of a compose `user:` (interpolated); the Airflow image's own user when none is set."""
    from dind_doctor.project.path_resolver import interpolate

    if not user:
        return "50000", "0"  # the apache/airflow image's `airflow` user
    uid, _, gid = interpolate(user, env).text.partition(":")
    return uid, gid or None


class AirflowDaemonAccess(Check):
    """Checks how the Airflow worker reaches the daemon that starts the DAGs' containers.

    DockerOperator's `docker_url` defaults to `DOCKER_HOST` (providers-docker 4.x), else the socket
    `unix://var/run/docker.sock`. The chapter sets `DOCKER_HOST: tcp://host.docker.internal:2375` on every
    Airflow service with Docker Desktop's "Expose daemon on tcp://localhost:2375 without TLS": an API
    without TLS or authentication, which is root on the host for anything that reaches it (CIS Docker
    Benchmark 2.7). Plain `tcp://` found in a DAG's `docker_url`, a compose `environment:` of an Airflow
    service, or a `.env` beside a compose file: warn for a local name (localhost, host.docker.internal),
    fail for any other host (the network reaches it). The `port-2375` check looks at the listener itself.

    A socket mounted into an Airflow service is used by the `airflow` user (uid 50000, gid 0 in the stock
    compose file, `user: "${AIRFLOW_UID:-50000}:0"`): it needs the socket's group, given with
    `group_add`. Where the socket is on this machine its group is read (fail when the user lacks it);
    otherwise the check warns and tells how to read it on the daemon's host.
    """

    id = "airflow-daemon-access"
    title = "Airflow worker -> daemon: plain TCP 2375, socket group"
    project_check = True

    def run(self, ctx: Context) -> list[Finding]:
        from dind_doctor.airflow.project import airflow_services, dag_calls

        calls = list(dag_calls(ctx))
        services = airflow_services(ctx)
        if not calls and not services:
            return [self.finding(Status.SKIP, "no DAG starts a container and no compose service runs Airflow")]
        findings = []
        for dag, call in calls:
            url = call.arg("docker_url")
            if url is not None and url.literal and isinstance(url.value, str):
                tls = any(call.arg(a) is not None for a in TLS_ARGS)
                finding = self._tcp(url.value, f"{call.kind} {call.name}: docker_url",
                                    Location(dag.rel, url.line, url.column), tls)
                if finding is not None:
                    findings.append(finding)
        findings.extend(self._compose(ctx, services))
        if not findings:
            findings.append(self.finding(Status.OK, "no plain-TCP daemon URL and no socket mount without its group"))
        return findings

    def _tcp(self, url: str, where: str, location: Location, tls: bool = False) -> Finding | None:
        found = plain_tcp(url)
        if found is None or tls:
            return None
        host, port = found
        local = host.lower() in LOCAL_HOSTS
        url = mask_url(url)  # tcp://user:password@host: the userinfo is never shown
        return self.finding(
            Status.WARN if local else Status.FAIL,
            f"{where}: {url}: the Docker API without TLS on port {port}"
            + ("" if local else f", reachable by anyone who reaches {host}"),
            detail="Whoever reaches that port is root on the daemon's host; on Docker Desktop the setting also "
                   "exposes the API to every container.", location=location,
            evidence={"url": url, "where": where}, fixes=same_fix(SAFER))

    def _compose(self, ctx: Context, services: tuple[AirflowService, ...]) -> list[Finding]:
        from dind_doctor.airflow.project import SOCKET_TARGETS, dotenv_value

        findings: list[Finding] = []
        by_line: dict[tuple[str, int | None], list[Any]] = {}
        folders: dict[Any, Any] = {}
        for service in services:
            cf = service.compose
            if service.environment().get("DOCKER_HOST"):
                line = cf.line_of("services", service.name, "environment", "DOCKER_HOST")
                by_line.setdefault((cf.rel, line), []).append(service)
            folders.setdefault(cf.dir, cf)
            if any(u.target in SOCKET_TARGETS for u in service.mounts):
                findings.extend(self._socket(ctx, service))
        for (rel, line), users in by_line.items():
            env = users[0].environment()
            names = ", ".join(s.name for s in users)
            finding = self._tcp(env["DOCKER_HOST"], f"DOCKER_HOST of {names}", Location(rel, line),
                                "DOCKER_TLS_VERIFY" in env)
            if finding is not None:
                findings.append(finding)
        for folder in folders:
            dotenv = dotenv_value(ctx, folder, "DOCKER_HOST")
            if dotenv is not None:
                path = folder / ".env"
                rel = path.relative_to(ctx.project).as_posix() if path.is_relative_to(ctx.project) else str(path)
                finding = self._tcp(dotenv[0], "DOCKER_HOST in .env", Location(rel, dotenv[1]))
                if finding is not None:
                    findings.append(finding)
        return findings

    def _socket(self, ctx: Context, service: AirflowService) -> list[Finding]:
        cf = service.compose
        uid, gid = user_ids(service.user, dict(ctx.env))
        location = Location(cf.rel, cf.line_of("services", service.name, "user") or service.line)
        evidence = {"service": service.name, "user": service.user or "the image's (50000:0)",
                    "group_add": ", ".join(service.group_add) or "none"}
        if uid in ("0", "root"):
            return [self.finding(Status.OK, f"{cf.rel} service {service.name}: runs as root, the socket is usable",
                                 location=location, evidence=evidence)]
        socket_gid = None
        try:
            socket_gid = str(os.stat("/var/run/docker.sock").st_gid)
        except OSError:
            pass
        groups = {gid, *service.group_add}
        if socket_gid is not None:
            evidence["socket group here"] = socket_gid
            if socket_gid in groups:
                return [self.finding(Status.OK, f"{cf.rel} service {service.name}: user {uid} has the socket's "
                                                f"group {socket_gid}", location=location, evidence=evidence)]
        status = Status.FAIL if socket_gid is not None else Status.WARN
        wanted = socket_gid or "<gid>"
        return [self.finding(
            status, f"{cf.rel} service {service.name}: user {uid} (group {gid or '?'}) lacks the socket's group"
                    + (f" {socket_gid}" if socket_gid else "") + ": permission denied on /var/run/docker.sock",
            detail="DockerOperator talks to the socket as the user the service runs as."
                   + ("" if socket_gid else " The socket's group is read on the daemon's host: "
                                            "`stat -c %g /var/run/docker.sock`."),
            location=location, evidence=evidence,
            fixes=same_fix(f"{cf.rel}, service {service.name} (or x-airflow-common): group_add:\n"
                           f"  - \"{wanted}\""))]
