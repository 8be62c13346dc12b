"""airflow-bind-mounts: where the daemon will look up each bind source a DAG mounts."""
from __future__ import annotations

import posixpath
from typing import TYPE_CHECKING, Any

from dind_doctor.airflow.check_bases import DagMountCheck
from dind_doctor.context import Context
from dind_doctor.model import Finding, Status, same_fix

if TYPE_CHECKING:
    from dind_doctor.airflow.dags import DagFile, DockerCall, MountSpec
    from dind_doctor.airflow.literals import Value

AIRFLOW_HOME = "/opt/airflow"
PASS_IN = ("Pass the HOST path in: `HOST_PROJECT_DIR: ${PWD}` (or the folder) in the Airflow services' "
           "`environment:`, then `Mount(source=os.environ[\"HOST_PROJECT_DIR\"] + \"/app\", target=..., "
           "type=\"bind\")`; or mount a named volume by its real name (type=\"volume\").")


def worker_mounts(ctx: Context) -> tuple[str, list[dict[str, Any]]]:
    """The mounts of the Airflow service that runs tasks (a worker, else the first Airflow service), as the
    daemon would list them: bind sources made absolute the way compose does, volumes by key."""
    from dind_doctor.airflow.project import airflow_services

    services = airflow_services(ctx)
    if not services:
        return "", []
    service = next((s for s in services if "worker" in s.name), None) or \
        next((s for s in services if "scheduler" in s.name), services[0])
    mounts = []
    for use in service.mounts:
        if use.kind in ("bind", "volume"):
            mounts.append({"Type": use.kind, "Source": use.source, "Destination": use.target, "Name": use.source})
    return f"{service.compose.rel} service {service.name}", mounts


class AirflowBindMounts(DagMountCheck):
    """Tells where the daemon will look up each `Mount(type="bind", source=...)` of the DAGs.

    DockerOperator hands the source path to the daemon, which looks it up on ITS host, never in the Airflow
    worker that runs the task (a container). So, statically, through the worker's compose mounts (the
    same longest-prefix translation `bind-mount-translation` applies to this container):
    - a path under a bind mount of the worker (`./dags:/opt/airflow/dags`) is looked up as that mount's
      host folder: the same files only when the daemon runs on the machine where compose ran (warn);
    - a path under a named volume of the worker (`..._shared_app:/home/app`) has no host path: mount the
      volume itself with `type="volume"` (fail);
    - a path of the worker's own image (under /opt/airflow, or a mount target) and under no mount exists
      only in the worker: the daemon creates an empty folder or refuses (`bind source path does not
      exist`) (fail);
    - a Windows path literal (`C:\\Users\\...`) means something only to Docker Desktop, which maps it to
      `/run/desktop/mnt/host/c/Users/...` in its VM; any other daemon refuses it, and the DAG is tied to
      one machine (warn);
    - a relative path is refused by the API (`mount path must be absolute`) (fail).
    The pattern that works: pass the host path in as a variable (`HOST_PROJECT_DIR`) and build the source
    from it, with `mount_tmp_dir=False`.
    """

    id = "airflow-bind-mounts"
    title = "Bind sources of the DAGs' Mounts as the daemon will look them up"
    kind = "bind"
    none_found = "no DAG bind-mounts a path"

    def unread_source(self, dag: DagFile, call: DockerCall, mount: MountSpec, source: Value | None) -> Finding:
        from dind_doctor.airflow.project import at, where

        if source is not None and source.env_var:
            return self.finding(Status.OK, f"{where(call)}: bind source from {source.env_var}: a host path passed in",
                                location=at(dag, source))
        return super().unread_source(dag, call, mount, source)

    def mount(self, ctx: Context, dag: DagFile, call: DockerCall, mount: MountSpec, source: Value,
              path: str) -> Finding:
        from dind_doctor.airflow.project import at, where
        from dind_doctor.nesting import daemon_path
        from dind_doctor.project.host_paths import is_windows_absolute

        # The worker's mounts, read once per run for every bind of every DAG.
        worker, mounts = ctx.memo("airflow worker mounts", lambda: worker_mounts(ctx))
        who = where(call)
        location = at(dag, source)
        evidence = {"source": path, "worker": worker or "no Airflow service in the compose files"}
        if is_windows_absolute(path):
            drive, rest = path[0].lower(), path[2:].replace("\\", "/")
            return self.finding(
                Status.WARN, f"{who}: bind source {path} is a Windows path: only Docker Desktop maps it "
                             f"(to /run/desktop/mnt/host/{drive}{rest})",
                detail="Any other daemon refuses it, and the DAG works on one machine only.",
                location=location, evidence=evidence, fixes=same_fix(PASS_IN))
        if not path.startswith("/"):
            return self.finding(Status.FAIL, f"{who}: bind source {path!r} is relative: the API refuses it "
                                             "(mount path must be absolute)",
                                location=location, evidence=evidence, fixes=same_fix(PASS_IN))
        path = posixpath.normpath(path)
        host, used = daemon_path(path, mounts)
        if used is not None and host is not None:
            evidence["worker mount"] = f"{used['Source']}:{used['Destination']}"
            return self.finding(
                Status.WARN, f"{who}: {path} is the worker's path; the daemon will look up {host} on its host",
                detail="The same files only when the daemon runs where compose ran (not a remote daemon, not "
                       "another machine's Docker Desktop).", location=location, evidence=evidence,
                fixes=same_fix(f'{dag.rel}:{source.line}: source="{host}" or, better: {PASS_IN}'))
        if used is not None:
            return self.finding(
                Status.FAIL, f"{who}: {path} lies in the worker's volume {used['Name']}: it has no host path",
                location=location, evidence=evidence,
                fixes=same_fix(f'{dag.rel}:{mount.line}: Mount(source="<real name of {used["Name"]}>", '
                               f'target=..., type="volume")'))
        if path == AIRFLOW_HOME or path.startswith(AIRFLOW_HOME + "/"):
            return self.finding(
                Status.FAIL, f"{who}: {path} exists only in the worker container: the daemon creates an empty "
                             "folder there or refuses it (bind source path does not exist)",
                location=location, evidence=evidence, fixes=same_fix(PASS_IN))
        return self.finding(Status.OK, f"{who}: {path} is looked up on the daemon's host as is",
                            location=location, evidence=evidence)
