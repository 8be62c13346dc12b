"""What a run-reference invocation may be asked to do, and which images it uses."""
from __future__ import annotations

import os
import shlex
from ..records import dataclass
from pathlib import Path
from typing import Mapping

from .. import images as core_images
from ..errors import UsageProblem

__all__ = ["UsageProblem"]  # run-reference's usage errors are the tool's one UsageProblem

COMPONENT = "run-reference"  # the component label of everything a run creates

MODES = ("dood", "dind")
VIAS = ("compose", "airflow")  # what starts the module: the seed's compose, or an Airflow DockerOperator
FAULTS = ("missing-table", "wrong-password")  # a module that fails on purpose: tests and demonstrations




@dataclass(frozen=True)
class Options:
    mode: str = "dood"
    via: str = "compose"
    env_file: Path | None = None  # the user's real credentials; None: the embedded servers
    keep: bool = False
    force: bool = False
    verbose: bool = False
    project: Path | None = None  # None: the shipped hosted/ module
    runs: int = 1  # how many times the unchanged `docker compose up` runs (the seed ran it twice)
    fault: str | None = None
    preflight: bool = True
    call_timeout: float = 30.0  # each ordinary Docker call
    build_timeout: float = 1200.0  # an image build (pip installs from PyPI)
    pull_timeout: float = 1200.0  # one image pull (docker:dind is a few hundred MB)
    pull_idle_timeout: float = 120.0  # a pull that sends no progress for this long is stuck
    module_timeout: float = 600.0  # one `docker compose up`
    dag: Path | None = None  # --via airflow: the user's own DAG file instead of the shipped one
    task: str | None = None  # the task of `dag` to run

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise UsageProblem(f"--mode must be one of {', '.join(MODES)}, not {self.mode!r}")
        if self.via not in VIAS:
            raise UsageProblem(f"--via must be one of {', '.join(VIAS)}, not {self.via!r}")
        if self.fault is not None and self.fault not in FAULTS:
            raise UsageProblem(f"unknown fault {self.fault!r} (known: {', '.join(FAULTS)})")
        if self.fault and self.env_file:
            raise UsageProblem("a fault can only be injected into the embedded servers, not with --env-file")
        if self.dag is not None and self.via != "airflow":
            raise UsageProblem("--dag runs a DAG in Airflow: give --via airflow with it")
        if (self.dag is None) != (self.task is None):
            raise UsageProblem("--dag and --task go together: the DAG file, and the id of its task to run")
        if self.task is not None and not self.task.strip():
            raise UsageProblem("--task is empty")
        if self.runs < 1:
            raise UsageProblem("--runs must be at least 1")


# Each image of a run and the variable that overrides it.
IMAGE_VARIABLES = {
    "python": "DIND_DOCTOR_PYTHON_IMAGE",
    "dind": "DIND_DOCTOR_DIND_IMAGE",
    "docker_cli": "DIND_DOCTOR_DOCKER_CLI_IMAGE",
    "postgres": "DIND_DOCTOR_POSTGRES_IMAGE",
    "s3": "DIND_DOCTOR_S3_IMAGE",
    "probe": "DIND_DOCTOR_PROBE_IMAGE",
    "airflow": "DIND_DOCTOR_AIRFLOW_IMAGE",
}


@dataclass(frozen=True)
class Images:
    python: str
    dind: str
    docker_cli: str
    postgres: str
    s3: str
    probe: str
    airflow: str

    def wanted(self, *roles: str) -> dict[str, str]:
        """{override variable: image} for these roles: what a stage pulls, and what to tell when it cannot."""
        return {IMAGE_VARIABLES[role]: getattr(self, role) for role in roles}


def images_from_env(env: Mapping[str, str] | None = None) -> Images:
    return Images(**{role: core_images.image(variable, env) for role, variable in IMAGE_VARIABLES.items()})


S3_PORT = 9000


@dataclass(frozen=True)
class S3Recipe:
    """How to start one S3-compatible server image: its full argv (run as the entry point, so the image's
    own ENTRYPOINT cannot prepend anything) and how it takes the credentials."""

    name: str
    argv: tuple[str, ...]
    credential_env: tuple[str, str] | None  # (access key variable, secret variable), None: any key works


S3_RECIPES = (
    S3Recipe("minio", ("minio", "server", "/data", "--address", f":{S3_PORT}"),
             ("MINIO_ROOT_USER", "MINIO_ROOT_PASSWORD")),
    S3Recipe("moto", ("moto_server", "-H", "0.0.0.0", "-p", str(S3_PORT)), None),
)


def s3_recipe(image: str, env: Mapping[str, str] | None = None) -> S3Recipe:
    """The recipe named in the image reference. DIND_DOCTOR_S3_COMMAND (a full command line, shell-quoted)
    starts any other image: it must serve S3 on port 9000; it gets MINIO_ROOT_USER/MINIO_ROOT_PASSWORD."""
    env = os.environ if env is None else env
    custom = env.get("DIND_DOCTOR_S3_COMMAND", "").strip()
    if custom:
        return S3Recipe("custom", tuple(shlex.split(custom)), ("MINIO_ROOT_USER", "MINIO_ROOT_PASSWORD"))
    name = image.rsplit("/", 1)[-1].split(":")[0].split("@")[0].lower()
    tag = image.rsplit(":", 1)[-1].lower() if ":" in image.rsplit("/", 1)[-1] else ""
    for recipe in S3_RECIPES:
        if recipe.name in (name, tag) or name.startswith(recipe.name):
            return recipe
    known = ", ".join(r.name for r in S3_RECIPES)
    raise UsageProblem(f"no start recipe for the S3 image {image!r} (known: {known}); set "
                       f"DIND_DOCTOR_S3_COMMAND to the command that serves S3 on port {S3_PORT}")
