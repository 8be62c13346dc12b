"""airflow-mount-tmp-dir: DockerOperator's temporary bind mount under a worker that is itself a container."""
from __future__ import annotations

from dind_doctor.check import Check
from dind_doctor.context import Context
from dind_doctor.model import Finding, Status, same_fix


class AirflowMountTmpDir(Check):
    """Checks `mount_tmp_dir` of every DockerOperator when the Airflow worker runs in a container.

    With `mount_tmp_dir=True` (the default) the operator creates a `TemporaryDirectory(prefix=
    "airflowtmp")` in the WORKER and bind-mounts it into the task's container. When the worker is a
    container driving the host's daemon (a mounted socket) or another daemon (`tcp://...`), that daemon
    looks the path up on its own host, where it does not exist: the daemon answers with an APIError
    (`bind source path does not exist: /tmp/airflowtmp...`), and the operator retries without the mount
    and logs a warning (apache/airflow#16803, #16806, PR #16932). Every task pays for one failed container
    create and the log shows an alarming warning.

    The worker is taken to be a container when a compose file of the project runs Airflow (warn); without
    one the same warning is given only when the DAG also names a `tcp://` daemon. Fix:
    `mount_tmp_dir=False`. `@task.docker` takes the same argument.
    """

    id = "airflow-mount-tmp-dir"
    title = "DockerOperator mount_tmp_dir under a containerised worker"
    project_check = True

    def run(self, ctx: Context) -> list[Finding]:
        from dind_doctor.airflow.project import airflow_services, at, dag_calls, where

        calls = list(dag_calls(ctx))
        if not calls:
            return [self.finding(Status.SKIP, "no DockerOperator or @task.docker in the project")]
        services = sorted(airflow_services(ctx), key=lambda s: "worker" not in s.name)
        findings = []
        for dag, call in calls:
            value = call.arg("mount_tmp_dir")
            if value is not None and (not value.literal or value.value is False):
                continue
            url = call.arg("docker_url")
            remote = url is not None and url.literal and str(url.value).startswith("tcp://")
            if not services and not remote:
                continue
            why = (f"the worker runs in a container ({services[0].compose.rel} service {services[0].name})"
                   if services else f"the daemon is {url.value if url is not None else '?'}")
            findings.append(self.finding(
                Status.WARN, f"{where(call)}: mount_tmp_dir is {'left at ' if value is None else ''}True and {why}: "
                             "`bind source path does not exist: /tmp/airflowtmp...`, then a retry without it",
                detail="The temporary folder is created in the worker; the daemon looks it up on its own host.",
                location=at(dag, value or call),
                fixes=same_fix(f"{dag.rel}:{(value or call).line}: mount_tmp_dir=False")))
        if not findings:
            findings.append(self.finding(Status.OK, f"mount_tmp_dir needs no change in {len(calls)} container task(s)"))
        return findings
