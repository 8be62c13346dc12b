"""airflow-mount-tmp-dir: DockerOperator's temporary bind mount under a worker that is itself a container."""
from __future__ import annotations

from typing import TYPE_CHECKING

from dind_doctor.airflow.check_bases import ContainerTaskCheck
from dind_doctor.context import Context
from dind_doctor.model import Finding, Status, same_fix

if TYPE_CHECKING:
    from dind_doctor.airflow.dags import DagFile, DockerCall


class AirflowMountTmpDir(ContainerTaskCheck):
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

    def task(self, ctx: Context, dag: DagFile, call: DockerCall) -> Finding | None:
        from dind_doctor.airflow.project import airflow_services, at, where

        value = call.arg("mount_tmp_dir")
        if value is not None and (not value.literal or value.value is False):
            return None
        url = call.arg("docker_url")
        remote = url is not None and url.literal and str(url.value).startswith("tcp://")
        services = ctx.memo("airflow services, workers first",
                            lambda: sorted(airflow_services(ctx), key=lambda s: "worker" not in s.name))
        if not services and not remote:
            return None
        why = (f"the worker runs in a container ({services[0].compose.rel} service {services[0].name})"
               if services else f"the daemon is {url.value if url is not None else '?'}")
        return self.finding(
            Status.WARN, f"{where(call)}: mount_tmp_dir is {'left at ' if value is None else ''}True and {why}: "
                         "`bind source path does not exist: /tmp/airflowtmp...`, then a retry without it",
            detail="The temporary folder is created in the worker; the daemon looks it up on its own host.",
            location=at(dag, value or call),
            fixes=same_fix(f"{dag.rel}:{(value or call).line}: mount_tmp_dir=False"))

    def all_well(self, ctx: Context, tasks: int) -> Finding:
        return self.finding(Status.OK, f"mount_tmp_dir needs no change in {tasks} container task(s)")
