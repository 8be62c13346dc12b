"""The Airflow side of a project, as the airflow-* checks read it: the DockerOperator calls of its DAGs,
the compose services that run Airflow (the workers that will call the daemon), and the compose projects
whose volumes a DAG may mount.

Everything here is read statically, through the project's read-once file cache and the compose model; the
checks add the daemon's view where one answers.
"""
from __future__ import annotations

import re
from ..records import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator, Mapping

from ..model import Location
from .dags import DagFile, DockerCall, MountSpec, project_dags
from .literals import Value

if TYPE_CHECKING:
    from ..context import Context
    from ..project.compose_model import ComposeProject, ServiceMount

SOCKET_TARGETS = ("/var/run/docker.sock", "/run/docker.sock")


@dataclass(frozen=True)
class AirflowService:
    """A compose service that runs Airflow (its image, name or environment says so)."""

    compose: "ComposeProject"
    name: str
    spec: Mapping[str, Any]  # as written (environment values are read here: DOCKER_HOST, never a secret shown)

    @property
    def line(self) -> int | None:
        return self.compose.line_of("services", self.name)

    @property
    def user(self) -> str | None:
        user = self.spec.get("user")
        return str(user) if user is not None else None

    @property
    def group_add(self) -> tuple[str, ...]:
        groups = self.spec.get("group_add") or ()
        return tuple(str(g) for g in groups) if isinstance(groups, list) else ()

    def environment(self) -> dict[str, str]:
        """`environment:` as written (mapping or KEY=VALUE list); a value may hold ${VAR}."""
        env = self.spec.get("environment")
        if isinstance(env, Mapping):
            return {str(k): "" if v is None else str(v) for k, v in env.items()}
        if isinstance(env, list):
            return dict(str(item).partition("=")[::2] for item in env)  # type: ignore[misc]
        return {}

    @property
    def mounts(self) -> "tuple[ServiceMount, ...]":
        """Its mounts as the compose model resolves them (bind sources absolute, `${VAR}` interpolated)."""
        service = self.compose.services.get(self.name)
        return service.mounts if service is not None else ()


def is_airflow_service(name: str, spec: Mapping[str, Any]) -> bool:
    image = str(spec.get("image") or "")
    env = spec.get("environment")
    keys = env.keys() if isinstance(env, Mapping) else [str(e).partition("=")[0] for e in env or ()] \
        if isinstance(env, list) else []
    return "airflow" in image.lower() or name.lower().startswith("airflow") or \
        any(str(k).startswith("AIRFLOW__") for k in keys)


def airflow_services(ctx: "Context") -> tuple[AirflowService, ...]:
    """The compose services that run Airflow, read once per run for every airflow-* check."""
    def build() -> tuple[AirflowService, ...]:
        found = []
        for project in ctx.project_model.compose:
            services = project.raw.get("services") if not project.error else None
            for name, spec in services.items() if isinstance(services, Mapping) else ():
                if isinstance(spec, Mapping) and is_airflow_service(str(name), spec):
                    found.append(AirflowService(project, str(name), spec))
        return tuple(found)

    return ctx.memo("airflow services", build)


def compose_models(ctx: "Context") -> list[tuple["ComposeProject", "ComposeProject"]]:
    """Every readable compose project: as read, and refined by `docker compose config` (real names)."""
    from ..compose_cli import resolved_projects

    projects = [p for p in ctx.project_model.compose if not p.error]
    return list(zip(projects, resolved_projects(ctx, projects)))


def dag_calls(ctx: "Context") -> Iterator[tuple[DagFile, DockerCall]]:
    for dag in project_dags(ctx):
        for call in dag.calls:
            yield dag, call


def dag_mounts(ctx: "Context", kind: str) -> list[tuple[DagFile, DockerCall, MountSpec]]:
    """Every `Mount(...)` of the DAGs whose type is `kind` ("volume", "bind")."""
    return [(dag, call, m) for dag, call in dag_calls(ctx) for m in call.mounts if m.is_mount and m.mount_type == kind]


def normalized_image(ref: str) -> str:
    """`name` -> `name:latest`; a tag or a digest is kept (how the daemon names what a DAG runs)."""
    if "@" in ref:
        return ref
    return ref if ":" in ref.rsplit("/", 1)[-1] else f"{ref}:latest"


def at(dag: DagFile, value: Value | DockerCall | Any) -> Location:
    """The location of an argument (or of the call) in its DAG file."""
    return Location(dag.rel, getattr(value, "line", None), getattr(value, "column", None))


def where(call: DockerCall) -> str:
    """How a finding names the task: `DockerOperator extract_sql` / `@task.docker extract`."""
    return f"{call.kind} {call.name}"


def project_name_from_folder(cf: "ComposeProject", env: Mapping[str, str], dotenv_keys: set[str]) -> bool:
    """The compose project name comes from the folder's name (no `-p` known, no COMPOSE_PROJECT_NAME in
    the environment or the .env beside the file, no top-level `name:`): renaming the folder renames every
    volume."""
    return not cf.has_top_level_name and "COMPOSE_PROJECT_NAME" not in env and "COMPOSE_PROJECT_NAME" not in dotenv_keys


def dotenv_keys(ctx: "Context", folder: Path) -> set[str]:
    """The keys (never the values) of the .env beside a compose file, read through the project cache."""
    from ..project.files import project_files

    from ..project.file_text import env_values

    files = project_files(ctx)
    path = folder / ".env"
    return set(env_values(files.read(path))) if files.is_file(path) else set()


def dotenv_value(ctx: "Context", folder: Path, key: str) -> tuple[str, int] | None:
    """One non-secret setting of the .env beside a compose file (DOCKER_HOST), with its line."""
    from ..project.files import project_files

    files = project_files(ctx)
    path = folder / ".env"
    if not files.is_file(path):
        return None
    content = files.read(path)
    if not content.usable:
        return None
    for number, line in enumerate(content.text.splitlines(), 1):
        match = re.match(rf"^\s*(?:export\s+)?{re.escape(key)}\s*=\s*(.*?)\s*$", line)
        if match:
            return match.group(1).strip("'\""), number
    return None
