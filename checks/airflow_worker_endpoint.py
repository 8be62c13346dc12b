"""airflow-worker-endpoint: from inside a running Airflow worker, as its user, the daemon DockerOperator uses answers."""
from __future__ import annotations

from typing import TYPE_CHECKING

from dind_doctor.check import Check
from dind_doctor.context import Context
from dind_doctor.secret_rules import mask_url
from dind_doctor.model import Finding, Location, Status, same_fix
from dind_doctor.engine.errors import ProbeError, daemon_reason

if TYPE_CHECKING:
    from docker.models.containers import Container

    from dind_doctor.project.compose_model import ComposeProject

PREFERENCE = ("worker", "scheduler", "triggerer", "webserver")


class AirflowWorkerEndpoint(Check):
    """Proves, from inside a running Airflow container, that the endpoint DockerOperator will use answers.

    The Airflow containers of the project's compose files are found on the daemon by their compose labels
    (`docker compose ps`: project and service); a worker is preferred (it runs the tasks), then the
    scheduler. In it, as the user the container runs as (the stock file's `airflow`, uid 50000, gid 0),
    a small stdlib script sends `GET /_ping` to each endpoint a task will use: the container's
    `DOCKER_HOST` (DockerOperator's default in providers-docker 4.x), else `unix://var/run/docker.sock`,
    and every literal `docker_url` of the DAGs. Nothing else is run and no variable but the URL is read.
    - an answer: ok;
    - PermissionError on the socket: the user lacks the socket's group (fail; fix `group_add`);
    - refused, unreachable or timed out: nothing listens there from the worker's network (fail: the
      socket is not mounted, or Docker Desktop's TCP setting is off, or the name does not resolve).
    No running Airflow container: skip (start the project and check again).
    """

    id = "airflow-worker-endpoint"
    title = "From inside the Airflow worker, as its user: the daemon answers"
    needs_engine = True
    time_limit = 45.0

    def run(self, ctx: Context) -> list[Finding]:
        from dind_doctor.airflow.project import airflow_services, compose_models, dag_calls

        services = airflow_services(ctx)
        if not services:
            return [self.finding(Status.SKIP, "no compose service runs Airflow")]
        urls = sorted({str(v.value) for _, call in dag_calls(ctx) for v in (call.arg("docker_url"),)
                       if v is not None and v.literal and isinstance(v.value, str)})
        names = {(s.compose.file, s.name) for s in services}
        findings = []
        for cf, model in compose_models(ctx):
            wanted = {name for path, name in names if path == cf.file}
            if not wanted:
                continue
            container = self._running(ctx, model.name, wanted)
            if container is None:
                findings.append(self.finding(
                    Status.SKIP, f"no running Airflow container of compose project {model.name}",
                    detail="Start it (`docker compose up -d`) and check again: the proof runs inside a worker.",
                    location=Location(cf.rel)))
                continue
            findings.extend(self._ping(container, urls, cf))
        return findings

    @staticmethod
    def _running(ctx: Context, project: str, services: set[str]) -> Container | None:
        try:
            found = ctx.docker().containers.list(filters={"label": f"com.docker.compose.project={project}",
                                                          "status": "running"})
        except Exception as exc:  # a daemon failing mid-check: the runner reports it as an error finding
            raise ProbeError(f"cannot list the containers of {project}: {daemon_reason(exc)}") from exc
        ours = [c for c in found if c.labels.get("com.docker.compose.service") in services]
        rank = {name: i for i, name in enumerate(PREFERENCE)}
        ours.sort(key=lambda c: min((rank[p] for p in PREFERENCE if p in c.labels.get("com.docker.compose.service", "")),
                                    default=len(PREFERENCE)))
        return ours[0] if ours else None

    def _ping(self, container: Container, urls: list[str], cf: ComposeProject) -> list[Finding]:
        from dind_doctor.airflow.worker_ping import SCRIPT, parse

        service = container.labels.get("com.docker.compose.service", container.name)
        where = f"{service} ({container.name})"
        try:
            code, output = container.exec_run(["python3", "-c", SCRIPT, "", *urls])
        except Exception as exc:
            raise ProbeError(f"cannot run the probe in {container.name}: {daemon_reason(exc)}") from exc
        text = (output or b"").decode("utf-8", "replace")
        ident, pings = parse(text)
        if code != 0 or not pings:
            return [self.finding(Status.WARN, f"{where}: the probe did not run (exit {code}): {text.strip()[:160]}",
                                 location=Location(cf.rel))]
        uid, _, rest = ident.partition(" ")
        evidence = {"container": container.name, "uid gid groups": ident}
        findings = []
        for ping in pings:
            url = mask_url(ping.url)  # a DOCKER_HOST with userinfo: never shown whole
            if ping.ok:
                findings.append(self.finding(Status.OK, f"{where}: {url} answers as uid {uid}",
                                             location=Location(cf.rel), evidence={**evidence, "answer": ping.answer}))
            elif ping.denied:
                findings.append(self.finding(
                    Status.FAIL, f"{where}: {url}: permission denied for uid {uid} (groups {rest})",
                    detail="The user Airflow runs as lacks the socket's group; every DockerOperator task fails.",
                    location=Location(cf.rel), evidence={**evidence, "error": ping.error},
                    fixes=same_fix(f"{cf.rel}, service {service} (or x-airflow-common): group_add:\n"
                                   "  - \"<the socket's gid: stat -c %g /var/run/docker.sock on the daemon's host>\"")))
            else:
                findings.append(self.finding(
                    Status.FAIL, f"{where}: nothing answers at {url} from inside the worker: {ping.error}",
                    detail="Mount the socket into the Airflow services, or switch the daemon's TCP listener on "
                           "(Docker Desktop: Settings > General), or fix the host name.",
                    location=Location(cf.rel), evidence={**evidence, "error": ping.error}))
        return findings
