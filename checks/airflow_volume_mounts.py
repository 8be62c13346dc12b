"""airflow-volume-mounts: each volume a DAG mounts, against the volumes the compose projects really create."""
from __future__ import annotations

from typing import TYPE_CHECKING

from dind_doctor.airflow.check_bases import DagMountCheck
from dind_doctor.context import Context
from dind_doctor.model import Finding, Status, same_fix

if TYPE_CHECKING:
    from dind_doctor.airflow.dags import DagFile, DockerCall, MountSpec
    from dind_doctor.airflow.literals import Value


class AirflowVolumeMounts(DagMountCheck):
    """Checks every `Mount(source=NAME, type="volume")` of the DAGs against the compose projects' volumes.

    Compose names a project volume `<project>_<key>` unless the volume sets `name:`; the project name is
    `-p`, `COMPOSE_PROJECT_NAME`, a top-level `name:`, else the compose file's folder name (lower-cased,
    characters outside [a-z0-9_-] dropped). The daemon knows only the real name. A DAG that mounts another
    name does not fail: Docker creates a new, EMPTY volume of that name at the task's first run and the
    module finds no code (fail, naming the DAG's name and the real one). The user's own write-up shows both
    `08_airflow_...` and `01_dag_extract_sql_...` for one volume: the prefix moved with the folder.

    A DAG that mounts the right name still breaks when the folder is renamed or cloned under another name,
    if that name comes from the folder (warn). Fix: give the volume a fixed name in the compose file
    (`volumes: {KEY: {name: NAME}}`) and mount that name.

    A name that no compose file of the project creates is said so (warn): it may be created by hand, or
    it will be created empty. Non-literal names are skipped.
    """

    id = "airflow-volume-mounts"
    title = "Volumes the DAGs mount vs the compose projects' real volume names"
    kind = "volume"
    none_found = "no DAG mounts a named volume"

    def mount(self, ctx: Context, dag: DagFile, call: DockerCall, mount: MountSpec, source: Value,
              name: str) -> Finding:
        from dind_doctor.airflow.project import at, compose_models, dotenv_keys, project_name_from_folder, where

        location = at(dag, source)
        near = None
        for cf, model in compose_models(ctx):
            for key, real in model.volumes.items():
                if real == name:
                    spec = (cf.raw.get("volumes") or {}).get(key)
                    fixed = isinstance(spec, dict) and bool(spec.get("name") or spec.get("external"))
                    evidence = {"volume": name, "compose file": cf.rel, "project": model.name, "key": key}
                    if not fixed and project_name_from_folder(cf, ctx.env, dotenv_keys(ctx, cf.dir)):
                        return self.finding(
                            Status.WARN, f"{where(call)}: volume {name} exists only while the folder of "
                                         f"{cf.rel} is named {cf.dir.name!r}",
                            detail=f"Compose takes the project name {model.name!r} from the folder: renamed or "
                                   f"cloned elsewhere, it creates another volume and the DAG mounts an empty one.",
                            location=location, evidence=evidence,
                            fixes=same_fix(f"{cf.rel}: volumes:\n  {key}:\n    name: {name}\n"
                                           f"(then the DAG's {name!r} stays right whatever the folder is called)"))
                    return self.finding(Status.OK, f"{where(call)}: volume {name} is {cf.rel}'s {key}",
                                        location=location, evidence=evidence)
                if near is None and (name == key or name.endswith(f"_{key}")):
                    near = (cf, model, key, real)
        if near is None:
            return self.finding(
                Status.WARN, f"{where(call)}: no compose file of the project creates volume {name}",
                detail="Unless it is created by hand, Docker creates it EMPTY at the task's first run.",
                location=location, evidence={"volume": name})
        cf, model, key, real = near
        return self.finding(
            Status.FAIL, f"{where(call)}: mounts volume {name}, but compose project {model.name} creates {real}",
            detail=f"{cf.rel} declares {key!r}; compose names it {real!r}. Docker will create an EMPTY {name!r} "
                   "at the task's first run, silently, and the module will find nothing there.",
            location=location, evidence={"DAG mounts": name, "compose creates": real, "compose file": cf.rel,
                                         "project": model.name},
            fixes=same_fix(f'1) {dag.rel}:{source.line}: source="{real}"\n'
                           f"2) or fix the name in {cf.rel} (folder-proof): volumes:\n  {key}:\n    name: {name}"))


