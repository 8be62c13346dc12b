"""`dind-doctor levels`: walk host -> outer container -> module container for real.

On the host, a labelled stand-in for the outer container starts the way the project's run script starts it
(same binds, same socket, same variables, same working folder; `--privileged` dropped: a socket needs none).
From inside it, through the socket, `docker compose run` starts a stand-in for the module container the
way the compose file starts it (same image, env_file, volumes, working_dir; only the command is replaced
by an observation script, networking is off, and a volume that does not exist yet is replaced by a
labelled throw-away one). Each level reports, for each row, the file's size and SHA-256 or a variable's
presence (never a value); the matrix compares them with the host's.
"""
from __future__ import annotations

import io
import shlex
import shutil
import tarfile
from ..records import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from .. import images
from ..errors import DindDoctorError
from ..labels import labels
from ..compose_cli import resolved_project
from ..engine import manifest, volumes
from ..engine.errors import ProbeError, daemon_reason
from ..engine.probes import labelled_container
from ..project.compose_model import ComposeProject, Service
from ..project.files import unsafe_for_tools
from ..project.file_text import env_values, read_project_file
from ..project.host_run import HostRun, find_host_run, runs_without_image
from ..project.ps_pipelines import version_note
from .matrix import Row
from .observe import KEY, observe_script, parse_observations
from .rows import build_rows

if TYPE_CHECKING:
    from ..context import Context
    from ..project.build_context import Dockerfiles

SCRIPT_DIR = "/dind-doctor-walk"
MAX_CODE_FILES = 40


class WalkError(DindDoctorError):
    """The walk cannot be planned or started; the message says why."""


@dataclass
class Plan:
    spec: HostRun  # the run script's `docker run`, which the outer stand-in copies
    model: ComposeProject
    service: Service
    source: Path  # the host folder whose content the module should run
    module_dir: str  # where the module container holds it
    env_file: Path | None
    env_keys: list[str]
    volumes: list[tuple[str, str, str]]  # (key, real name, target) mounted by the module service
    code: dict[str, manifest.Entry] = field(default_factory=dict)


# -- planning ------------------------------------------------------------------------------------------
def _module_service(model: ComposeProject) -> Service:
    built = [s for s in model.services.values() if s.build_context]
    return (built or list(model.services.values()))[0]


def _module_dir(service: Service, dockerfiles: "Dockerfiles") -> tuple[str, Path] | None:
    """Where the module's code lives in its container, and the host folder it comes from."""
    targets = [m.target for m in service.mounts if m.kind in ("volume", "bind")]
    targets += [service.working_dir] if service.working_dir else []
    for target in targets:
        bind = next((m for m in service.mounts if m.kind == "bind" and m.target == target), None)
        if bind is not None and Path(bind.source).is_dir():
            return target, Path(bind.source)
        if service.dockerfile and service.build_context:
            src = dockerfiles.source_folder(Path(service.dockerfile), Path(service.build_context), target)
            if src is not None:
                return target, src
    return None


def _keys_of(project: Path, env_file: Path | None) -> list[str]:
    """The keys of the env_file, read through the project-file gate and decoder (UTF-16, Latin-1).

    WalkError for a UTF-16 file: compose cannot parse it, and its error would quote a line of it with NUL
    bytes between the characters (a shape no masking recognises)."""
    if env_file is None:
        return []
    content = read_project_file(project, env_file)
    if content.utf16:
        raise WalkError(f"{content.rel} is UTF-16: docker compose cannot read it; save it as UTF-8 "
                        "(`dind-doctor check line-endings --fix` does it, with a backup)")
    return [k for k in env_values(content) if KEY.match(k)]


def plan(ctx: "Context") -> Plan:
    project = ctx.project
    spec = find_host_run(ctx.project_model.scripts, project)
    if spec is None:
        broken = runs_without_image(ctx.project_model.scripts)
        raise WalkError(f"no run script with a `docker run` whose mount sources exist under {project}" + (
            f"; the `docker run` at {', '.join(broken)} ends before its image as the shell runs it "
            "(see `dind-doctor check backtick-continuation`)" if broken else ""))
    projects = [p for p in ctx.project_model.compose if not p.error and p.services]
    if not projects:
        raise WalkError(f"no compose file with services under {project}")
    model = resolved_project(ctx, projects[0])
    service = _module_service(model)
    found = _module_dir(service, ctx.project_model.dockerfiles)
    if found is None:
        raise WalkError(f"cannot tell where service {service.name} holds its code (no Dockerfile COPY or bind "
                        "to its volumes or working_dir)")
    module_dir, source = found
    env_file = service.env_files[0].path if service.env_files else None
    if model.refused:  # an alias bomb in an included file: compose would expand it
        raise WalkError(f"{model.rel}: a file it reads was refused (YAML alias bomb); see `dind-doctor check env-file`")
    unsafe = unsafe_for_tools(project, [*model.files, model.dir / ".env", *(r.path for r in service.env_files)])
    if unsafe is not None:  # `docker compose run` in the stand-in would block on it, or read outside the project
        raise WalkError(f"{unsafe}: the walk would hand it to docker compose")
    keys = list(dict.fromkeys(_keys_of(project, env_file) + [k for k in service.env_keys if KEY.match(k)]))
    volumes = [(m.source, model.volumes.get(m.source, m.source), m.target)
               for m in service.mounts if m.kind == "volume"]
    code = {rel: e for rel, e in manifest.from_folder(source, limit=MAX_CODE_FILES).entries.items()
            if not manifest.is_dotfile(rel)}
    return Plan(spec, model, service, source, module_dir, env_file, keys, volumes, code)


# -- running ---------------------------------------------------------------------------------------------
def _override(plan: Plan, module_image: str | None, temp_volumes: dict[str, str], run_id: str) -> str:
    from ..pyyaml import yaml

    lab = labels("levels-module", run_id)
    service: dict[str, Any] = {"network_mode": "none", "labels": lab}
    if module_image:
        service["image"] = module_image
    doc: dict[str, Any] = {"services": {plan.service.name: service}}
    if temp_volumes:
        doc["volumes"] = {key: {"name": name, "labels": labels("levels-volume", run_id)}
                          for key, name in temp_volumes.items()}
    return yaml.safe_dump(doc, sort_keys=False)


def _tar(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for name, text in files.items():
            data = text.encode()
            info = tarfile.TarInfo(name)
            info.size, info.mode = len(data), 0o755
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def module_paths(plan: Plan, sentinel: str) -> dict[str, str]:
    """Where the module container should see each row; `sentinel` is relative to the code folder."""
    base = PurePosixPath(plan.module_dir)
    paths = {"sentinel": str(base / sentinel), "env-file": str(base / ".env")}
    paths.update({f"code:{rel}": str(base / rel) for rel in plan.code})
    paths.update({f"volume:{key}": target for key, _real, target in plan.volumes})
    return paths


def outer_script(plan: Plan, sentinel: Path, compose_outer: str | None, run_id: str, module_image: str | None,
                 temp_volumes: dict[str, str], module_name: str | None = None) -> dict[str, str]:
    paths = {"sentinel": plan.spec.outer_path(sentinel), "compose-file": compose_outer,
             "env-file": plan.spec.outer_path(plan.env_file) if plan.env_file else None}
    paths.update({f"code:{rel}": plan.spec.outer_path(plan.source / rel) for rel in plan.code})
    outer = observe_script({k: v for k, v in paths.items() if v}, [])
    walk = ["echo '== outer'", f"sh {SCRIPT_DIR}/outer.sh"]
    if compose_outer and plan.spec.socket:
        label_args = " ".join(f"-l {shlex.quote(f'{k}={v}')}" for k, v in labels("levels-module", run_id).items())
        if module_name:  # a name registered by the run: found by its cleanup even mid-create
            label_args += f" --name {shlex.quote(module_name)}"
        walk += [f"cd {shlex.quote(str(PurePosixPath(compose_outer).parent))}",
                 "echo '== module'",
                 f"docker compose -p {shlex.quote(plan.model.name)} -f {shlex.quote(compose_outer)} "
                 f"-f {SCRIPT_DIR}/override.yml run --rm --no-deps -T {label_args} --entrypoint sh "
                 f"{shlex.quote(plan.service.name)} -c \"$(cat {SCRIPT_DIR}/module.sh)\" 2>&1",
                 "echo \"== exit $?\""]
    return {"outer.sh": outer, "walk.sh": "\n".join(walk) + "\n",
            "module.sh": observe_script(module_paths(plan, sentinel.relative_to(plan.source).as_posix()),
                                        plan.env_keys),
            "override.yml": _override(plan, module_image, temp_volumes, run_id)}


def run_outer(ctx: "Context", plan: Plan, files: dict[str, str], extra_env: dict[str, str],
              wait: float) -> tuple[int, str]:
    """Start the outer stand-in, run the walk in it, return (exit code, output). Removed whatever happens."""
    image = images.image("DIND_DOCTOR_DOCKER_CLI_IMAGE", ctx.env)
    env = {k: (v if v is not None else ctx.env.get(k, "")) for k, v in plan.spec.env.items()}
    env.update(extra_env)
    binds = {b.source: {"bind": b.target, "mode": "ro" if b.read_only else "rw"} for b in plan.spec.binds}
    with labelled_container(ctx, image, ["sh", f"{SCRIPT_DIR}/walk.sh"], component="levels-outer",
                            what="the outer stand-in", environment=env, volumes=binds,
                            working_dir=plan.spec.workdir or None, detach=True) as container:
        try:
            container.put_archive("/", _tar({f"{SCRIPT_DIR.lstrip('/')}/{n}": t for n, t in files.items()}))
            container.start()
            try:
                status = container.wait(timeout=wait)
            except Exception as exc:
                raise ProbeError(f"the walk did not finish within {wait:g} s (a daemon that does not answer?)") from exc
            output = container.logs(stdout=True, stderr=True).decode("utf-8", "replace")
        except ProbeError:
            raise
        except Exception as exc:
            raise ProbeError(f"the outer stand-in failed: {daemon_reason(exc)}") from exc
        return int(status.get("StatusCode", -1)), output


def run_script_note(ctx: "Context", script: Path) -> str:
    """Which PowerShell parses the run script, when that matters (a line starting with `|`); "" otherwise."""
    source = next((s for s in ctx.project_model.scripts.of("powershell").sources
                   if not s.markdown and s.path == script), None)
    return "" if source is None else version_note(source.text, source.first_line, source.tokens)


def walk(ctx: "Context", plan: Plan, extra_env: dict[str, str] | None = None,
         wait: float = 120.0) -> tuple[list[Row], dict[str, Any]]:
    evidence: dict[str, Any] = {
        "run script": str(plan.spec.script), "run from": str(plan.spec.run_from),
        "outer image stood in by": images.image("DIND_DOCTOR_DOCKER_CLI_IMAGE", ctx.env) + f" (script: {plan.spec.image})",
        "compose file": str(plan.model.file), "project": plan.model.name, "module service": plan.service.name,
        "code": f"{plan.source} -> {plan.module_dir}"}
    note = run_script_note(ctx, plan.spec.script)
    if note:  # the stand-in imitates the run as PowerShell 7 reads it; 5.1 (or no PowerShell) would not run it
        evidence["run script parses"] = note
    if plan.spec.privileged:
        evidence["--privileged"] = "dropped: a socket mount needs none (and some engines refuse it)"
    module_image = None
    if volumes.image_info(ctx, plan.service.image) is None:
        module_image = images.probe_image(ctx.env)
        evidence["module image"] = f"{plan.service.image} is not built: stood in by {module_image}"
    temp_volumes = {}
    for key, real, _target in plan.volumes:
        if volumes.inspect_volume(ctx, real) is None:
            # created by compose in the outer stand-in: registered first, so the cleanup knows the name
            temp_volumes[key] = ctx.resources.register("volume", f"dind-doctor-{ctx.run_id}-{key}", by_child=True)
    module_name = ctx.resources.register("container", ctx.resources.name("levels-module"), by_child=True)
    compose_outer = plan.spec.outer_path(plan.model.file)
    # The sentinel must be in the code folder (it is what the levels should see): in a sub-folder of this
    # run, registered before it exists and removed in every path (the run's cleanup too).
    folder = ctx.resources.sub_folder(plan.source)
    sentinel = folder / "sentinel.txt"
    try:
        sentinel.write_text(f"dind-doctor levels {ctx.run_id}\n")
        host_sentinel = manifest.file_entry(sentinel)
        files = outer_script(plan, sentinel, compose_outer, ctx.run_id, module_image, temp_volumes, module_name)
        code, output = run_outer(ctx, plan, files, extra_env or {}, wait)
        # The outer stand-in has exited: whatever its compose created exists now (and carries our labels).
        for kind, name in [("container", module_name)] + [("volume", v) for v in temp_volumes.values()]:
            ctx.resources.settled(kind, name)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    obs = parse_observations(output)
    if code != 0 and not any(k.startswith("exit ") for k in obs):
        raise ProbeError(f"the outer stand-in stopped (exit {code}) before the module level reported: "
                         "killed, or its daemon failed mid-walk")
    return build_rows(plan, obs, code, host_sentinel, compose_outer, temp_volumes, module_image), evidence
