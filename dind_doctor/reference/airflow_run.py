"""`run-reference --via airflow`: the unchanged module started by a real Airflow DockerOperator.

The Airflow container reaches the host's daemon the way a user's worker does: the socket mounted and its
group added (`group_add`), the official image's `airflow` user (uid 50000) unchanged. (A worker that uses
`DOCKER_HOST=tcp://host.docker.internal:2375` reaches the same daemon through an unauthenticated TCP
listener instead; the socket needs no listener, and DockerOperator falls back to it when DOCKER_HOST is unset.)
The shipped DAG (hosted/airflow/dags/extractor_sql_dag.py) reads its credentials from the worker's
environment, so the run passes them as the Airflow container's environment, never as a file.
"""
from __future__ import annotations

import io
import itertools
import os
import tarfile
from pathlib import Path
from typing import Any, Callable, Mapping

from . import module_steps
from .outer import Exec, call_timeout
from .timeline import StageFailed

DAG_ID, TASK_ID = "extractor_sql_dag", "extract"
DAG_FILE = "extractor_sql_dag.py"
AIRFLOW_HOME = "/opt/airflow"
SOCKET = "/var/run/docker.sock"
LOGICAL_DATE = "2024-01-01"


def shipped_dag(module: Path) -> Path:
    return module / "airflow" / "dags" / DAG_FILE


def socket_gid(path: str = SOCKET) -> int | None:
    """The group that owns the daemon's socket on this host (None when the engine is not a local socket)."""
    try:
        return os.stat(path).st_gid
    except OSError:
        return None


def _tar(files: Mapping[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size, info.mode, info.uid, info.gid = len(data), 0o644, 50000, 0
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def start_airflow(client: Any, *, resources: Any, image: str, name: str, labels: Mapping[str, str],
                  worker_env: Mapping[str, str], dag: bytes, dag_file: str, timeout: float) -> tuple[str, str]:
    """Starts the Airflow container (idle: commands run in it with exec) and puts the DAG in its DAG
    folder. Returns (container id, how it reaches the daemon)."""
    gid = socket_gid()
    if gid is None:
        raise StageFailed(f"--via airflow mounts the engine's socket ({SOCKET}) into the Airflow container, "
                          "and this host has none: run it on the machine whose daemon owns that socket")
    env = {"AIRFLOW_HOME": AIRFLOW_HOME, "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
           "AIRFLOW__CORE__DAGS_FOLDER": f"{AIRFLOW_HOME}/dags", **worker_env}
    with call_timeout(client, timeout), resources.creating("container", name) as cname:
        container = client.containers.create(
            image, name=cname, labels=dict(labels), detach=True, environment=env,
            # The official image's entry point would run its own checks first; the run only needs a shell.
            entrypoint=["sleep", "infinity"], user="50000:0", group_add=[str(gid)],
            volumes={SOCKET: {"bind": SOCKET, "mode": "rw"}})
        container.start()
        container.exec_run(["mkdir", "-p", f"{AIRFLOW_HOME}/dags"], user="50000:0")
        if not container.put_archive(f"{AIRFLOW_HOME}/dags", _tar({dag_file: dag})):
            raise StageFailed("copying the DAG into the Airflow container failed")
    return container.id, f"socket {SOCKET} mounted, group {gid} added (user 50000)"


def airflow_version(af: Exec) -> str:
    code, tail = af.run(["airflow", "version"], timeout=180)
    if code != 0:
        raise StageFailed("`airflow version` failed in the Airflow image:\n" + "\n".join(tail[-15:]))
    return tail[-1].strip() if tail else "?"


def migrate(af: Exec, timeout: float) -> None:
    af.check(["airflow", "db", "migrate"], "`airflow db migrate`", timeout=timeout)


def run_task(af: Exec, dag_id: str, task_id: str, timeout: float,
             on_line: Callable[[str], None] | None) -> tuple[int, list[str]]:
    return af.run(["airflow", "tasks", "test", dag_id, task_id, LOGICAL_DATE], timeout=timeout, on_line=on_line)


def module_exit_code(client: Any, container_name: str) -> int | None:
    """The module container's exit code when it is still there (auto_remove="success" keeps a failed one);
    None when it is gone (removed after success)."""
    import docker.errors

    try:
        container = client.containers.get(container_name)
    except docker.errors.NotFound:
        return None
    container.reload()
    if container.status == "running":
        raise StageFailed(f"the module container {container_name} is still running after the task")
    return int(container.attrs["State"]["ExitCode"])


def count_rows(client: Any, *, resources: Any, image: str, name: str, labels: Mapping[str, str],
               env: Mapping[str, str], network: str | None, create_bucket: bool, timeout: float) -> int:
    """validated.csv's rows, read with the module's own image (the same reader as the compose path)."""
    with call_timeout(client, timeout), resources.creating("container", name) as cname:
        container = client.containers.create(
            image, ["python", "-c", module_steps.COUNT_ROWS], name=cname, labels=dict(labels), detach=True,
            environment={**env, "CREATE_BUCKET": str(int(create_bucket))}, network=network)
        try:
            container.start()
            code = container.wait(timeout=timeout).get("StatusCode", 1)
            output = container.logs().decode("utf-8", "replace").splitlines()
        finally:
            container.remove(force=True)
    resources.forget("container", cname)  # removed above
    return module_steps.rows_printed(code, output)


def programme(run: Any, client: Any, creds: Any, module_env: Mapping[str, str]) -> int:
    """The airflow path of run-reference (`run` is the run's _Run: its options, timeline, labels, cleanup)."""
    from .servers import network_name

    reads = itertools.count()
    o, work, timeline, images = run.o, run.work, run.timeline, run.images
    module_tag = f"extractor_sql_dag_img:{run.prefix}"
    dockerfile = work.project / "docker" / "Dockerfile"
    if not dockerfile.is_file():
        raise StageFailed(f"--via airflow builds the module image from docker/Dockerfile, and {work.project.name} "
                          "has none")
    module_name = f"extractor_sql_dag-{run.ctx.run_id}"
    user = run.user_dag  # --dag: the user's file, already checked by the preflight (or --force)
    dag_file, dag_text = (user.name, user.text) if user else (DAG_FILE, shipped_dag(work.project).read_bytes())
    dag_id, task_id = (user.dag_id, user.task_id) if user else (DAG_ID, TASK_ID)
    network = network_name(run.prefix) if creds is not None else None  # named before it exists
    worker_env = {**module_env, "MODULE_IMAGE": module_tag, "MODULE_CONTAINER_NAME": module_name,
                  "MODULE_NETWORK": network or "bridge"}
    run.pull_images("the module image and Airflow", "python", "airflow")
    starting = run.servers_in_background(creds, module_env)  # while the module image builds
    # Airflow too (its container needs neither the image nor the servers until the task runs), on a client
    # of its own: its long execs set their own socket timeouts.
    airflow_client = run.side_client()

    def airflow_ready(st: Any) -> Exec:
        cid, how = start_airflow(airflow_client, resources=run.ctx.resources, image=images.airflow,
                                 name=f"{run.prefix}-airflow", labels=run.labels, worker_env=worker_env,
                                 dag=dag_text, dag_file=dag_file, timeout=o.call_timeout + 30)
        st.note = f"{images.airflow}; {how}; DAG {dag_file}"
        af = Exec(airflow_client, cid, run.mask, AIRFLOW_HOME)
        migrate(af, o.build_timeout)
        st.note += f"; Airflow {airflow_version(af)}"
        return af

    preparing = timeline.background("start Airflow, airflow db migrate (SQLite)", airflow_ready, step=True)
    with timeline.stage("build the module image (extractor_sql_dag_img, unchanged)", step=True) as st:
        from .outer import build_outer_image

        cache = build_outer_image(client, context=str(work.project), target=None, tag=module_tag,
                                  dockerfile="docker/Dockerfile", build_args={"PYTHON_IMAGE": images.python},
                                  labels=run.labels, timeout=o.build_timeout, on_line=run.stream(False),
                                  what="the module image", poll=lambda: run.preflight_verdict(wait=False))
        st.note = f"{module_tag} ({cache})"
    run.preflight_verdict()  # before the module starts
    servers = run.servers_ready(starting)
    af = timeline.join(preparing)
    reader = run.row_reader(module_env, servers, lambda create: count_rows(
        client, resources=run.ctx.resources, image=module_tag, name=f"{run.prefix}-rows-{next(reads)}",
        labels=run.labels, env=module_env, network=network, create_bucket=create, timeout=180))
    with timeline.stage("read validated.csv before") as st:
        rows = reader.count(create_bucket=run.bucket_pending(creds))
        st.note = f"{rows} row(s), {reader.note}"
    for attempt in range(1, o.runs + 1):
        with timeline.stage(f"airflow tasks test {dag_id} {task_id} (run {attempt})", step=True) as st:
            run.ctx.resources.register("container", module_name, by_child=True)
            task_code, tail = run_task(af, dag_id, task_id, o.module_timeout, run.stream(True))
            run.ctx.resources.settled("container", module_name)
            st.note = f"task exit code {task_code}"
        with timeline.stage(f"verify run {attempt}") as st:
            module_code = module_exit_code(client, module_name)
            if task_code != 0 or module_code not in (None, 0):
                code = module_code if module_code not in (None, 0) else task_code
                st.note = "the task failed; the module container " + (
                    f"exited with {module_code} (kept by auto_remove='success')" if module_code is not None
                    else "is gone (or never started)")
                run.echo(f"run-reference: the Airflow task failed, exit code {code} (its output is above)")
                return int(code or 1)
            after = reader.count(create_bucket=False)
            st.note = f"rows {rows} -> {after}; the module container exited 0 and was removed"
            rows = module_steps.one_more_row(rows, after)
    run.echo(f"run-reference: passed: {o.runs} run(s) through Airflow, validated.csv now holds {rows} row(s)")
    return 0
