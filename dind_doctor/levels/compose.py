"""The parts of a project's compose model that nesting levels care about: project name, named volumes with
their real names on the daemon, each service's mounts (bind sources made absolute), env_file paths and the
variable KEYS a service receives.

Two sources, merged:
- the raw YAML (PyYAML), which keeps what `docker compose config` loses: the env_file paths, and whether a
  bind source was written with a `${VAR}` (a host path passed in from outside);
- `docker compose -f FILE config --format json`, the authority for project name, volume names and absolute
  bind sources. Its output INLINES env_file values (secrets): it is parsed in memory, projected onto the
  fields below at once, and never printed, logged or kept.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import dataclasses
from dataclasses import dataclass
from pathlib import Path, PureWindowsPath
from typing import Any, Mapping

from ..project import mount_spec
from ..project.host_paths import is_windows_absolute


class ComposeError(Exception):
    """The compose file cannot be read; the message says why (never with file content)."""


@dataclass(frozen=True)
class MountUse:
    kind: str  # "volume" (named), "bind", "anonymous"
    source: str  # named volume key, or absolute bind source as the client resolves it, or ""
    target: str
    raw_source: str = ""  # as written in the YAML, before interpolation
    read_only: bool = False
    no_copy: bool = False

    @property
    def passed_in(self) -> bool:
        """Written with a variable (`${HOST_PROJECT_DIR}/app`): meant as a path on the daemon's host."""
        return "$" in self.raw_source


@dataclass(frozen=True)
class Service:
    name: str
    image: str  # the image reference compose uses (given, or `<project>-<service>` when only built)
    build_context: str | None  # absolute
    dockerfile: str | None  # absolute
    mounts: tuple[MountUse, ...]
    env_files: tuple[str, ...]  # absolute paths, as compose will look for them
    env_keys: tuple[str, ...]  # keys from `environment:` (values are never kept)
    working_dir: str | None = None


@dataclass(frozen=True)
class ComposeProject:
    file: Path
    name: str
    volumes: Mapping[str, str]  # volume key -> real name on the daemon
    external: frozenset[str]  # keys of volumes declared external (never created by compose)
    services: Mapping[str, Service]
    resolved_by: str = "raw YAML"  # or "docker compose config"
    notes: tuple[str, ...] = ()

    @property
    def dir(self) -> Path:
        return self.file.parent

    def users_of(self, volume_key: str) -> list[tuple[Service, MountUse]]:
        return [(s, m) for s in self.services.values() for m in s.mounts
                if m.kind == "volume" and m.source == volume_key]


# -- naming ---------------------------------------------------------------------------------------------
def normalize_project_name(name: str) -> str:
    """Compose's rule (compose-go NormalizeProjectName): lower case, keep [a-z0-9_-], trim leading _ and -."""
    return re.sub(r"[^-_a-z0-9]+", "", name.lower()).lstrip("_-")


def project_name(compose_file: Path, raw: Mapping[str, Any], env: Mapping[str, str],
                 dotenv: Mapping[str, str] | None = None) -> str:
    """-p is not known here; then COMPOSE_PROJECT_NAME, top-level `name:`, the compose file's folder.
    `dotenv`: the project .env next to the compose file, when the caller has already read it."""
    dotenv = _dotenv_next_to(compose_file) if dotenv is None else dotenv
    for candidate in (env.get("COMPOSE_PROJECT_NAME"), dotenv.get("COMPOSE_PROJECT_NAME"),
                      interpolate(str(raw.get("name") or ""), {**dotenv, **env})):
        if candidate:
            return normalize_project_name(candidate)
    return normalize_project_name(compose_file.parent.name)


def real_volume_name(project: str, key: str, spec: Any) -> str:
    """`<project>_<key>`, unless the volume sets `name:` or is external (then its key or external name)."""
    spec = spec if isinstance(spec, Mapping) else {}
    if spec.get("name"):
        return str(spec["name"])
    external = spec.get("external")
    if isinstance(external, Mapping) and external.get("name"):
        return str(external["name"])
    if external:
        return key
    return f"{project}_{key}"


# -- interpolation (paths only; values are never reported) -------------------------------------------------
_VAR = re.compile(r"\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)")


def interpolate(text: str, env: Mapping[str, str]) -> str:
    def repl(m: re.Match) -> str:
        if m.group(0) == "$$":
            return "$"
        name = m.group(1) or m.group(4)
        op, default = m.group(2), m.group(3) or ""
        value = env.get(name)
        if op in (":-", ":?") and not value:
            return default if op == ":-" else ""
        if op in ("-", "?") and value is None:
            return default if op == "-" else ""
        return value or ""

    return _VAR.sub(repl, text)


def _dotenv_next_to(compose_file: Path) -> dict[str, str]:
    """The .env compose reads next to the compose file, in any encoding (UTF-16, Latin-1: never a
    traceback), through the project-file gate (a FIFO or a link out of the folder is not read)."""
    from ..project.files import env_values, read_project_file

    return env_values(read_project_file(compose_file.parent, compose_file.parent / ".env"))


# -- raw YAML -------------------------------------------------------------------------------------------
def _absolute(base: Path, path: str) -> str:
    if is_windows_absolute(path):
        return str(PureWindowsPath(path))
    expanded = os.path.expanduser(path)
    return os.path.normpath(expanded if os.path.isabs(expanded) else os.path.join(base, expanded))


def parse_mount(item: Any, base: Path, env: Mapping[str, str]) -> MountUse | None:
    spec = mount_spec.parse_any(item)
    if spec is None or spec.kind not in ("bind", "volume", "anonymous"):
        return None  # tmpfs, npipe, cluster: nothing a nesting level changes
    if spec.kind == "anonymous":
        return MountUse("anonymous", "", spec.target)
    source = interpolate(spec.source, env)
    if spec.kind == "bind":
        return MountUse("bind", _absolute(base, source), spec.target, spec.source, spec.read_only)
    return MountUse("volume", source, spec.target, spec.source, spec.read_only, spec.no_copy)


def _env_files(value: Any, base: Path, env: Mapping[str, str]) -> tuple[str, ...]:
    items = value if isinstance(value, list) else [value] if value else []
    paths = []
    for item in items:
        path = item.get("path") if isinstance(item, Mapping) else item
        if path:
            paths.append(_absolute(base, interpolate(str(path), env)))
    return tuple(paths)


def _env_keys(value: Any) -> tuple[str, ...]:
    if isinstance(value, Mapping):
        return tuple(str(k) for k in value)
    if isinstance(value, list):
        return tuple(str(item).split("=", 1)[0] for item in value)
    return ()


def from_raw(compose_file: Path, raw: Mapping[str, Any], env: Mapping[str, str]) -> ComposeProject:
    base = compose_file.parent
    dotenv = _dotenv_next_to(compose_file)
    scope = {**dotenv, **env}
    name = project_name(compose_file, raw, env, dotenv)
    volumes_spec = raw.get("volumes") or {}
    volumes = {str(k): real_volume_name(name, str(k), v) for k, v in volumes_spec.items()} \
        if isinstance(volumes_spec, Mapping) else {}
    external = frozenset(str(k) for k, v in (volumes_spec.items() if isinstance(volumes_spec, Mapping) else ())
                         if isinstance(v, Mapping) and v.get("external"))
    services = {}
    for sname, spec in (raw.get("services") or {}).items():
        if not isinstance(spec, Mapping):
            continue
        build = spec.get("build")
        context = dockerfile = None
        if build is not None:
            bspec = build if isinstance(build, Mapping) else {"context": build}
            context = _absolute(base, interpolate(str(bspec.get("context") or "."), scope))
            dockerfile = _absolute(Path(context), str(bspec.get("dockerfile") or "Dockerfile"))
        image = str(spec.get("image") or f"{name}-{sname}")
        mounts = tuple(m for m in (parse_mount(i, base, scope) for i in spec.get("volumes") or ()) if m)
        services[str(sname)] = Service(str(sname), interpolate(image, scope), context, dockerfile, mounts,
                                       _env_files(spec.get("env_file"), base, scope),
                                       _env_keys(spec.get("environment")), spec.get("working_dir"))
    return ComposeProject(compose_file, name, volumes, external, services)


# -- `docker compose config` ----------------------------------------------------------------------------
def compose_config(compose_file: Path, env: Mapping[str, str], timeout: float) -> dict[str, Any]:
    """The resolved model, projected at once onto harmless fields (no environment, no secrets)."""
    try:
        proc = subprocess.run(["docker", "compose", "-f", str(compose_file), "config", "--format", "json"],
                              capture_output=True, timeout=timeout, env=dict(env), cwd=compose_file.parent)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise ComposeError(f"`docker compose config` did not run: {type(exc).__name__}") from None
    if proc.returncode != 0:
        # Only its first line is kept, its quotes by their shape: a .env parse error quotes the line
        # (`variable name "MIIE..."`).
        from ..masking import quoted_shape

        first = quoted_shape((proc.stderr.decode("utf-8", "replace").strip().splitlines() or ["no message"])[0])[:200]
        raise ComposeError(f"`docker compose config` failed: {first}")
    try:
        data = json.loads(proc.stdout)
    except ValueError:
        raise ComposeError("`docker compose config` printed no JSON") from None
    services = {}
    for sname, spec in (data.get("services") or {}).items():
        services[sname] = {"image": spec.get("image"), "volumes": spec.get("volumes") or [],
                           "build": {k: v for k, v in (spec.get("build") or {}).items()
                                     if k in ("context", "dockerfile")} or None}
    return {"name": data.get("name"), "volumes": {k: {"name": (v or {}).get("name"),
                                                      "external": (v or {}).get("external")}
                                                  for k, v in (data.get("volumes") or {}).items()},
            "services": services}


def merge_resolved(raw_model: ComposeProject, resolved: Mapping[str, Any]) -> ComposeProject:
    """Take name, volume names, images and bind sources from the resolved model; keep env_file paths and
    raw sources from the raw YAML."""
    name = resolved.get("name") or raw_model.name
    volumes = {k: (v.get("name") or raw_model.volumes.get(k) or f"{name}_{k}")
               for k, v in (resolved.get("volumes") or {}).items()}
    services = {}
    for sname, service in raw_model.services.items():
        rspec = (resolved.get("services") or {}).get(sname)
        if rspec is None:
            services[sname] = service
            continue
        raw_by_target = {m.target: m for m in service.mounts}
        mounts = []
        for item in rspec.get("volumes") or []:
            parsed = parse_mount(item, raw_model.dir, {})
            if parsed is None:
                continue
            raw = raw_by_target.get(parsed.target)
            mounts.append(MountUse(parsed.kind, parsed.source, parsed.target, raw.raw_source if raw else
                                   parsed.source, parsed.read_only, parsed.no_copy))
        build = rspec.get("build") or {}
        services[sname] = Service(sname, rspec.get("image") or service.image,
                                  build.get("context") or service.build_context,
                                  _absolute(Path(build["context"]), build["dockerfile"])
                                  if build.get("context") and build.get("dockerfile") else service.dockerfile,
                                  tuple(mounts), service.env_files, service.env_keys, service.working_dir)
    return ComposeProject(raw_model.file, name, volumes or dict(raw_model.volumes), raw_model.external,
                          services, "docker compose config", raw_model.notes)


def load(compose_file: Path, env: Mapping[str, str], raw: Mapping[str, Any], timeout: float = 10.0,
         use_compose_cli: bool = True) -> ComposeProject:
    """The project model: the raw YAML, refined by `docker compose config` when it runs."""
    raw_model = from_raw(compose_file, raw, env)
    if not use_compose_cli:
        return raw_model
    from ..project.files import unsafe_for_tools

    read_by_compose = [compose_file, compose_file.parent / ".env",
                       *(Path(f) for s in raw_model.services.values() for f in s.env_files)]
    unsafe = unsafe_for_tools(compose_file.parent, read_by_compose)
    if unsafe is not None:  # compose would block on a FIFO, or read (and quote) a file out of the project
        return dataclasses.replace(raw_model, notes=(f"`docker compose config` not run: {unsafe}",))
    try:
        return merge_resolved(raw_model, compose_config(compose_file, env, timeout))
    except ComposeError as exc:
        return dataclasses.replace(raw_model, notes=(str(exc),))


def model_of(ctx, cf) -> ComposeProject:
    """The model of one of the project's compose files (`compose_files(ctx)` entries), built once per
    Context: several checks need it, and `docker compose config` is a subprocess of up to seconds."""
    return ctx.memo(f"compose model {cf.path}",
                    lambda: load(cf.path, ctx.env, cf.data, timeout=max(ctx.timeout, 10.0)))

