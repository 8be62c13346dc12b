"""The working copy of the module that run-reference drives, and what it adds to it.

The module is always copied to a temporary folder: run-reference writes app/.env (the embedded servers'
credentials, or a copy of --env-file) and a compose override there, never into the user's own folder.
"""
from __future__ import annotations

import os
import shutil
import tempfile
from ..records import dataclass
from pathlib import Path
from typing import Callable, Mapping

from ..project.compose_model import ComposeProject
from ..pyyaml import yaml
from .options import UsageProblem

SERVICE = "extractor_sql"
COMPOSE_NAMES = ("compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml")
OVERRIDE_NAME = "dind-doctor.override.yml"
OUTER_DOCKERFILE = "Dockerfile.host"
# Where the module writes validated.csv when OUTPUT_URL is not set (hosted/app/extractor_03.py's default).
DEFAULT_OUTPUT_URL = "s3://fraud-detection-2-bucket/data/validated.csv"


def shipped_module() -> Path:
    """hosted/ as installed (package dind_doctor.hosted), or in a source checkout."""
    try:
        from importlib.resources import files

        path = Path(str(files("dind_doctor.hosted")))
        if (path / "docker-compose.yml").is_file():
            return path
    except (ImportError, TypeError, ValueError, ModuleNotFoundError):
        pass
    return Path(__file__).resolve().parents[2] / "hosted"


@dataclass(frozen=True)
class WorkCopy:
    root: Path  # the temporary folder, removed at the end
    project: Path  # mapped on /home/hosted in the outer container
    outer_context: Path  # the outer image's build context: only its Dockerfile
    compose_file: str

    @property
    def env_path(self) -> Path:
        return self.project / "app" / ".env"


def _ignore_env(folder: str, names: list[str]) -> list[str]:
    # The user's own app/.env never travels: run-reference writes the one it needs.
    return [n for n in names if n == ".env" or n == "__pycache__"]


def _copy_filter(source: Path) -> Callable[[str, list[str]], list[str]]:
    """copytree's ignore for the module folder: _ignore_env, plus what the project-file gate would not read
    (a FIFO would block the copy; a link out of the module would copy a file from outside into images)."""
    from ..project.safe_open import classify, real_root

    root_real = real_root(source)

    def ignore(folder: str, names: list[str]) -> list[str]:
        skipped = set(_ignore_env(folder, names))
        for name in names:
            if name not in skipped and classify(root_real, os.path.join(folder, name))[0] not in ("file",
                                                                                                  "directory"):
                skipped.add(name)
        return sorted(skipped)

    return ignore


def module_source(project: Path | None) -> Path:
    """The module folder run-reference drives: --project, or the shipped hosted/ module."""
    return shipped_module() if project is None else Path(project).expanduser()


def module_compose_file(project: Path | None) -> str:
    """The module folder's compose file name; UsageProblem when the folder cannot be the module."""
    source = module_source(project)
    if not source.is_dir():
        raise UsageProblem(f"--project {source} is not a folder")
    compose = next((n for n in COMPOSE_NAMES if (source / n).is_file()), None)
    if compose is None:
        raise UsageProblem(f"{source} holds no compose file ({', '.join(COMPOSE_NAMES)})")
    model = read_module_compose(source / compose)
    if model.error is not None:  # never handed to `docker compose`: an alias bomb is refused here
        raise UsageProblem(f"{source / compose} is not readable YAML: {model.error.message}")
    if SERVICE not in model.services:
        raise UsageProblem(f"{source / compose} has no service {SERVICE!r}: run-reference runs "
                           f"`docker compose up --exit-code-from {SERVICE}`")
    return compose


def read_module_compose(path: Path) -> ComposeProject:
    """The module's compose file through the one compose model (bounded YAML, include/extends followed)."""
    from ..project.compose_loader import ComposeLoader
    from ..project.files import ProjectFiles

    return ComposeLoader(ProjectFiles(path.parent), os.environ).project(path)


def make_work_copy(source: Path, compose: str) -> WorkCopy:
    """A temporary copy of the module folder `source` (module_source), whose compose file is `compose`
    (module_compose_file)."""
    root = Path(tempfile.mkdtemp(prefix="dind-doctor-reference-"))
    work = WorkCopy(root, root / "hosted", root / "outer", compose)
    shutil.copytree(source, work.project, ignore=_copy_filter(source))
    work.outer_context.mkdir()
    shutil.copy2(shipped_module() / OUTER_DOCKERFILE, work.outer_context / OUTER_DOCKERFILE)
    (work.project / "app").mkdir(exist_ok=True)
    return work


def write_env(work: WorkCopy, values: Mapping[str, str]) -> None:
    lines = [f"{k}={v}" for k, v in values.items()]
    work.env_path.write_text("# Written by dind-doctor run-reference for this run only.\n" + "\n".join(lines) + "\n",
                             encoding="utf-8")
    work.env_path.chmod(0o600)


def copy_env_file(work: WorkCopy, env_file: Path) -> None:
    shutil.copyfile(env_file, work.env_path)
    work.env_path.chmod(0o600)


def write_override(work: WorkCopy, *, labels: Mapping[str, str], build_args: Mapping[str, str],
                   container_name: str | None, image: str | None, network: str | None,
                   extra_hosts: Mapping[str, str] | None) -> None:
    """A compose override, selected through COMPOSE_FILE, so the typed command stays unchanged.

    - labels on the containers and the image: the cleanup finds them by label, and nothing else.
    - container_name/image (shared daemon, dood): per-run names, so this run neither collides with the
      user's own `extractor_sql_dag` nor replaces their `extractor_sql_dag_img`.
    - network (dood): the module joins the private network of the embedded servers as its default network.
      Containers on two different bridge networks cannot talk to each other, and the module's container is
      a sibling of the servers on the same daemon, so joining their network is the one clean route.
    - extra_hosts (dind): the module runs on the outer container's own daemon, behind its NAT; it reaches the
      servers through the outer container, by address, since the host daemon's DNS is not visible there.
    """
    service: dict = {"labels": dict(labels), "build": {"labels": dict(labels), "args": dict(build_args)}}
    if container_name:
        service["container_name"] = container_name
    if image:
        service["image"] = image
    if extra_hosts:
        service["extra_hosts"] = [f"{name}:{address}" for name, address in extra_hosts.items()]
    override: dict = {"services": {SERVICE: service}}
    if network:
        override["networks"] = {"default": {"name": network, "external": True}}
    header = "# Written by dind-doctor run-reference for one run; not part of the module.\n"
    (work.project / OVERRIDE_NAME).write_text(header + yaml.safe_dump(override, sort_keys=False), encoding="utf-8")


def compose_env(work: WorkCopy, project_name: str) -> dict[str, str]:
    """The environment of every compose call in the outer container: selects the override and a per-run
    project name (a shared daemon may hold other runs, or the user's own `hosted` project)."""
    return {"COMPOSE_FILE": f"{work.compose_file}:{OVERRIDE_NAME}", "COMPOSE_PROJECT_NAME": project_name,
            # Plain text: the output is relayed line by line, where colours and cursor moves only garble it.
            "COMPOSE_ANSI": "never", "COMPOSE_PROGRESS": "plain"}


def remove_work_copy(work: WorkCopy) -> None:
    shutil.rmtree(work.root, ignore_errors=True)
