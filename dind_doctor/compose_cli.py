"""The compose model refined by `docker compose config`: the authority for project name, volume names and
absolute bind sources, when a CLI is there.

Its output INLINES env_file values (secrets): it is parsed in memory, projected at once onto harmless
fields (names, mount sources and targets, build paths) and never printed, logged or kept. A project with
a file refused for its YAML aliases is never handed to compose (it would expand the bomb itself).
"""
from __future__ import annotations

import dataclasses
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping

from . import subprocesses
from .project import mount_spec
from .project.compose_model import BuildRef, ComposeProject, Service, ServiceMount
from .errors import DindDoctorError

if TYPE_CHECKING:
    from .context import Context


RESOLVED_BY = "docker compose config"  # ComposeProject.resolved_by of a model compose refined
RAW_SETTLES = "raw YAML: nothing in it for compose to resolve (`docker compose config` not needed)"
# Settings that change what `docker compose -f FILE config` says of a project (the others do not).
MODEL_VARIABLES = ("COMPOSE_PROJECT_NAME", "COMPOSE_PROFILES", "COMPOSE_ENV_FILES", "COMPOSE_CONVERT_WINDOWS_PATHS")


class ComposeConfigFailed(DindDoctorError):
    """`docker compose config` did not give a model; the message says why (never with file content)."""


def compose_config(project: ComposeProject, env: Mapping[str, str], timeout: float,
                   root: Path | None = None) -> dict[str, Any]:
    """The resolved model, projected onto harmless fields (no environment, no secrets). `root`: the user's
    project folder; every file compose would read must be a regular file inside it."""
    if project.refused:
        raise ComposeConfigFailed("not asked: a file of the project was refused (YAML alias bomb)")
    from .project.files import unsafe_for_tools

    read_by_compose = [*project.files, project.dir / ".env", *(r.path for r in project.env_files if r.checkable)]
    unsafe = unsafe_for_tools(root or project.dir, read_by_compose)
    if unsafe is not None:  # compose would block on a FIFO, or read (and quote) a file out of the project
        raise ComposeConfigFailed(f"`docker compose config` not run: {unsafe}")
    argv = ["docker", "compose", "-f", str(project.file), "config", "--format", "json"]
    try:
        proc = subprocesses.run(argv, timeout=timeout, env=env, cwd=project.dir)
    except subprocesses.ChildFailed as exc:
        raise ComposeConfigFailed(f"`docker compose config` did not run: {exc}") from None
    if proc.returncode != 0:
        # Only its first line, its quotes by their shape: a .env parse error quotes the line (`variable name "MIIE..."`).
        from .evidence_shapes import quoted_shape

        raise ComposeConfigFailed(f"`docker compose config` failed: {quoted_shape(proc.first_error_line())}")
    import json

    try:
        data = json.loads(proc.stdout)
    except ValueError:
        raise ComposeConfigFailed("`docker compose config` printed no JSON") from None
    if not isinstance(data, dict):
        raise ComposeConfigFailed("`docker compose config` printed JSON that is not a model")
    services = {}
    for sname, spec in (data.get("services") or {}).items():
        spec = spec if isinstance(spec, dict) else {}
        build: dict[str, Any] = spec["build"] if isinstance(spec.get("build"), dict) else {}
        services[str(sname)] = {"image": spec.get("image"), "volumes": spec.get("volumes") or [],
                                "build": {k: v for k, v in build.items() if k in ("context", "dockerfile")},
                                "env": _passed_env(spec.get("environment"))}
    volumes: dict[str, Any] = data["volumes"] if isinstance(data.get("volumes"), dict) else {}
    return {"name": data.get("name"), "services": services,
            "volumes": {str(k): {"name": (v or {}).get("name")} for k, v in volumes.items()}}


def _passed_env(environment: Any) -> dict[str, tuple[str, bool]]:
    """key -> (sha256, holds a CR) of each value compose passes to the container; a key it leaves unset
    (`KEY` alone, not in the environment) is absent. compose prints `$` as `$$` (its output stays loadable):
    the container receives one. The values go no further than this function."""
    from .project.dotenv_lint import digest

    out = {}
    for key, value in (environment.items() if isinstance(environment, dict) else ()):
        if value is not None:
            text = str(value).replace("$$", "$")
            out[str(key)] = (digest(text), "\r" in text)
    return out


def _mounts(service: Service, resolved: list[Any]) -> tuple[ServiceMount, ...]:
    """The raw mounts (their origin and as-written source), with compose's absolute sources."""
    by_target = {m.target: m for m in service.mounts}
    out = []
    for item in resolved:
        spec = mount_spec.parse_any(item)
        raw = by_target.get(spec.target) if spec is not None else None
        if spec is None or raw is None:
            continue
        if raw.kind in ("bind", "volume") and spec.source:
            out.append(dataclasses.replace(raw, source=spec.source))
        else:
            out.append(raw)
    kept = {m.target for m in out}
    return tuple(out) + tuple(m for m in service.mounts if m.target not in kept)


def _build(service: Service, build: Mapping[str, Any]) -> BuildRef | None:
    ref = service.build
    if ref is None or ref.remote or not build.get("context"):
        return ref
    context = Path(build["context"])
    dockerfile = context / build["dockerfile"] if build.get("dockerfile") else ref.dockerfile
    return dataclasses.replace(ref, context=context, dockerfile=dockerfile)


def merge_resolved(project: ComposeProject, resolved: Mapping[str, Any]) -> ComposeProject:
    """Name, volume real names, images, bind sources and build paths from compose; env_file references,
    raw sources and every origin from the raw model."""
    name = resolved.get("name") or project.name
    volumes = {k: (v.get("name") or project.volumes.get(k) or f"{name}_{k}")
               for k, v in (resolved.get("volumes") or {}).items()}
    services = {}
    for sname, service in project.services.items():
        rspec = (resolved.get("services") or {}).get(sname)
        if rspec is None:
            services[sname] = service
            continue
        services[sname] = dataclasses.replace(service, image=rspec.get("image") or service.image,
                                              mounts=_mounts(service, rspec.get("volumes") or []),
                                              build=_build(service, rspec.get("build") or {}))
    passed_env = {s: r.get("env") or {} for s, r in (resolved.get("services") or {}).items()}
    return dataclasses.replace(project, name=name, volumes=volumes or dict(project.volumes), services=services,
                               resolved_by=RESOLVED_BY, passed_env=passed_env)


def refine(project: ComposeProject, env: Mapping[str, str], timeout: float,
           root: Path | None = None) -> ComposeProject:
    try:
        return merge_resolved(project, compose_config(project, env, timeout, root))
    except ComposeConfigFailed as exc:
        return dataclasses.replace(project, notes=project.notes + (str(exc),))


def _has_dollar(node: Any) -> bool:
    if isinstance(node, str):
        return "$" in node
    if isinstance(node, Mapping):
        return any(_has_dollar(k) or _has_dollar(v) for k, v in node.items())
    if isinstance(node, list):
        return any(_has_dollar(v) for v in node)
    return False


def raw_settles(ctx: "Context", project: ComposeProject) -> bool:
    """Is the raw model all `docker compose config` would say of names, volumes, mount sources and build
    paths? Yes when compose is left nothing to decide: one file read whole (no include, extends, profile
    or problem), no `$` in it (nothing to interpolate), no COMPOSE_* setting that changes the model in the
    environment or the project's .env, and not on Windows (compose converts its paths)."""
    raw = project.raw
    services = raw.get("services") if isinstance(raw, Mapping) else None
    if (ctx.platform == "win32" or project.problems or project.notes or project.files != (project.file,)
            or not isinstance(services, Mapping) or "include" in raw or _has_dollar(raw)
            or any(isinstance(s, Mapping) and ("extends" in s or "profiles" in s) for s in services.values())
            or any(v in ctx.env for v in MODEL_VARIABLES)):
        return False
    dotenv = project.dir / ".env"
    if not dotenv.exists():
        return True
    text = ctx.project_model.files.read(dotenv)
    return text.usable and "COMPOSE_" not in text.text


def resolved_project(ctx: "Context", project: ComposeProject, *, full: bool = False) -> ComposeProject:
    """`project` refined by `docker compose config`, once per run (several checks need it, and the CLI
    takes up to seconds). In static mode, the raw model as it is: it already interpolates, follows
    `include:`/`extends:` and names the project and its volumes as compose does, and a pre-commit hook
    should not pay a docker CLI start per compose file (0.2-0.4 s each on a 2-core machine). With the
    engine too when the raw model settles it (raw_settles; `resolved_by` says so), unless `full`: the
    environment compose passes to a container (the env_file probe) is compose's alone to say."""
    if ctx.static:
        return project
    if not full:  # whether the raw model settles it is decided once per file and run, as its answer
        settled = ctx.memo(f"settled {project.file}", lambda: dataclasses.replace(project, resolved_by=RAW_SETTLES)
                           if raw_settles(ctx, project) else None)
        if settled is not None:
            return settled
    return ctx.project_model.compose_resolved.get(
        project.file, lambda: refine(project, ctx.env, max(ctx.timeout, 10.0), ctx.project_model.root))


def resolved_projects(ctx: "Context", projects: list[ComposeProject], workers: int = 4, *,
                      full: bool = False) -> list[ComposeProject]:
    """resolved_project of each, in order, with up to `workers` `docker compose config` children at once
    (each a CLI start that waits on nothing of ours: one after the other, 9 files took 2 s here). The
    helpers are daemon threads, as the checks are: a stuck child cannot keep the tool from exiting."""
    todo = iter(projects)
    lock = threading.Lock()

    def warm() -> None:
        while True:
            with lock:
                project = next(todo, None)
            if project is None:
                return
            try:
                resolved_project(ctx, project, full=full)
            except Exception:  # asked again below, in the caller's thread, where it is reported
                pass

    if not ctx.static:
        for _ in range(min(workers, len(projects)) - 1):
            threading.Thread(target=warm, name="compose-config", daemon=True).start()
    return [resolved_project(ctx, p, full=full) for p in projects]
