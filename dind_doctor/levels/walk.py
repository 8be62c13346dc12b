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
import re
import shlex
import tarfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from .. import images
from ..labels import labels
from ..probes import ProbeError, daemon_reason, labelled_container
from ..project.compose_files import compose_files
from ..project.files import project_files
from . import compose, daemon, manifest, runscript
from .matrix import EMPTY, MISSING, NOT_APPLICABLE, SEEN, STALE, UNKNOWN, Cell, Row

if TYPE_CHECKING:
    from ..context import Context
    from ..project.build_context import Dockerfiles

SCRIPT_DIR = "/dind-doctor-walk"
MAX_CODE_FILES = 40
_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class WalkError(Exception):
    """The walk cannot be planned or started; the message says why."""


@dataclass
class Plan:
    spec: runscript.RunSpec
    model: compose.ComposeProject
    service: compose.Service
    source: Path  # the host folder whose content the module should run
    module_dir: str  # where the module container holds it
    env_file: Path | None
    env_keys: list[str]
    volumes: list[tuple[str, str, str]]  # (key, real name, target) mounted by the module service
    code: dict[str, manifest.Entry] = field(default_factory=dict)


# -- planning ------------------------------------------------------------------------------------------
def _module_service(model: compose.ComposeProject) -> compose.Service:
    built = [s for s in model.services.values() if s.build_context]
    return (built or list(model.services.values()))[0]


def _module_dir(service: compose.Service, dockerfiles: "Dockerfiles") -> tuple[str, Path] | None:
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


def _keys_of(env_file: Path | None) -> list[str]:
    if env_file is None or not env_file.is_file():
        return []
    from dotenv import dotenv_values

    return [k for k in dotenv_values(env_file) if _KEY.match(k)]


def plan(ctx: "Context") -> Plan:
    project = ctx.project
    spec = runscript.find(project, project_files(ctx))
    if spec is None:
        raise WalkError(f"no run script with a `docker run` whose mount sources exist under {project}")
    files = [cf for cf in compose_files(ctx) if not cf.error and (cf.data or {}).get("services")]
    if not files:
        raise WalkError(f"no compose file with services under {project}")
    model = compose.model_of(ctx, files[0])
    service = _module_service(model)
    found = _module_dir(service, ctx.project_model.dockerfiles)
    if found is None:
        raise WalkError(f"cannot tell where service {service.name} holds its code (no Dockerfile COPY or bind "
                        "to its volumes or working_dir)")
    module_dir, source = found
    env_file = Path(service.env_files[0]) if service.env_files else None
    keys = list(dict.fromkeys(_keys_of(env_file) + [k for k in service.env_keys if _KEY.match(k)]))
    volumes = [(m.source, model.volumes.get(m.source, m.source), m.target)
               for m in service.mounts if m.kind == "volume"]
    code = {rel: e for rel, e in manifest.from_folder(source, limit=MAX_CODE_FILES).entries.items()
            if not manifest.is_dotfile(rel)}
    return Plan(spec, model, service, source, module_dir, env_file, keys, volumes, code)


# -- where each host file is, one level down -------------------------------------------------------------
def outer_path(spec: runscript.RunSpec, host_path: Path) -> str | None:
    """The path in the outer container of a host file, through the run script's longest bind source."""
    best = None
    for source, target, _mode in spec.binds:
        src = Path(source)
        if host_path == src or src in host_path.parents:
            if best is None or len(src.parts) > len(Path(best[0]).parts):
                best = (source, target)
    if best is None:
        return None
    rel = host_path.relative_to(best[0]).as_posix()
    return str(PurePosixPath(best[1]) / rel) if rel != "." else best[1]


# -- the observation scripts (sh; busybox and coreutils alike) -------------------------------------------
_OBS = ("obs() { if [ -f \"$2\" ]; then printf 'F\\t%s\\t%s\\t%s\\n' \"$1\" \"$(wc -c < \"$2\" | tr -d ' ')\" "
        "\"$(sha256sum \"$2\" | cut -d ' ' -f 1)\"; elif [ -d \"$2\" ]; then printf 'D\\t%s\\t%s\\n' \"$1\" "
        "\"$(find \"$2\" -type f | wc -l | tr -d ' ')\"; else printf 'M\\t%s\\n' \"$1\"; fi; }")


def observe_script(paths: dict[str, str], keys: list[str]) -> str:
    lines = [_OBS]
    lines += [f"obs {shlex.quote(row)} {shlex.quote(path)}" for row, path in paths.items()]
    for key in keys:  # only presence is printed; the value never leaves the container
        assert _KEY.match(key)
        lines.append(f"if [ -z \"${{{key}+x}}\" ]; then printf 'E\\t{key}\\tunset\\n'; elif [ -z \"${key}\" ]; "
                     f"then printf 'E\\t{key}\\tempty\\n'; else printf 'E\\t{key}\\tset\\n'; fi")
    return "\n".join(lines) + "\n"


def parse_observations(text: str) -> dict[str, dict[str, tuple[str, ...]]]:
    """`== section` headers, then protocol lines; anything else (compose's chatter) is kept apart."""
    sections: dict[str, dict[str, tuple[str, ...]]] = {}
    current = sections.setdefault("preamble", {})
    other: list[str] = []
    for line in text.splitlines():
        if line.startswith("== "):
            current = sections.setdefault(line[3:].strip(), {})
            continue
        parts = line.rstrip("\r").split("\t")
        if parts[0] in ("F", "D", "M", "E") and len(parts) >= 2:
            current[parts[1]] = tuple(parts)
        elif line.strip():
            other.append(line.strip())
    sections["other"] = {str(i): (line,) for i, line in enumerate(other[-8:])}
    return sections


# -- running ---------------------------------------------------------------------------------------------
def _override(plan: Plan, module_image: str | None, temp_volumes: dict[str, str], run_id: str) -> str:
    import yaml

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
    base = PurePosixPath(plan.module_dir)
    paths = {"sentinel": str(base / sentinel), "env-file": str(base / ".env")}
    paths.update({f"code:{rel}": str(base / rel) for rel in plan.code})
    paths.update({f"volume:{key}": target for key, _real, target in plan.volumes})
    return paths


def outer_script(plan: Plan, sentinel: Path, compose_outer: str | None, run_id: str, module_image: str | None,
                 temp_volumes: dict[str, str]) -> dict[str, str]:
    paths = {"sentinel": outer_path(plan.spec, sentinel), "compose-file": compose_outer,
             "env-file": outer_path(plan.spec, plan.env_file) if plan.env_file else None}
    paths.update({f"code:{rel}": outer_path(plan.spec, plan.source / rel) for rel in plan.code})
    outer = observe_script({k: v for k, v in paths.items() if v}, [])
    walk = ["echo '== outer'", f"sh {SCRIPT_DIR}/outer.sh"]
    if compose_outer and plan.spec.socket:
        label_args = " ".join(f"-l {shlex.quote(f'{k}={v}')}" for k, v in labels("levels-module", run_id).items())
        walk += [f"cd {shlex.quote(str(PurePosixPath(compose_outer).parent))}",
                 "echo '== module'",
                 f"docker compose -p {shlex.quote(plan.model.name)} -f {shlex.quote(compose_outer)} "
                 f"-f {SCRIPT_DIR}/override.yml run --rm --no-deps -T {label_args} --entrypoint sh "
                 f"{shlex.quote(plan.service.name)} -c \"$(cat {SCRIPT_DIR}/module.sh)\" 2>&1",
                 "echo \"== exit $?\""]
    return {"outer.sh": outer, "walk.sh": "\n".join(walk) + "\n",
            "module.sh": observe_script(module_paths(plan, sentinel.name), plan.env_keys),
            "override.yml": _override(plan, module_image, temp_volumes, run_id)}


def run_outer(ctx: "Context", plan: Plan, files: dict[str, str], extra_env: dict[str, str],
              wait: float) -> tuple[int, str]:
    """Start the outer stand-in, run the walk in it, return (exit code, output). Removed whatever happens."""
    image = images.image("DIND_DOCTOR_DOCKER_CLI_IMAGE", ctx.env)
    env = {k: (v if v is not None else ctx.env.get(k, "")) for k, v in plan.spec.env.items()}
    env.update(extra_env)
    binds = {source: {"bind": target, "mode": "ro" if "ro" in mode.split(",") else "rw"}
             for source, target, mode in plan.spec.binds}
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


def _file_cell(obs: tuple[str, ...] | None, expected: manifest.Entry | None, where: str) -> Cell:
    if obs is None or obs[0] == "M":
        return Cell(MISSING, where)
    if obs[0] == "D":
        return Cell(SEEN if obs[2] != "0" else EMPTY, f"{obs[2]} file(s)")
    if expected is not None and (int(obs[2]) != expected.size or obs[3] != expected.sha256):
        return Cell(STALE, f"{where}: other content than on the host")
    return Cell(SEEN)


def walk(ctx: "Context", plan: Plan, extra_env: dict[str, str] | None = None,
         wait: float = 120.0) -> tuple[list[Row], dict[str, Any]]:
    sentinel = plan.source / f"dind-doctor-sentinel-{ctx.run_id}.txt"
    evidence: dict[str, Any] = {
        "run script": str(plan.spec.script), "run from": str(plan.spec.run_from),
        "outer image stood in by": images.image("DIND_DOCTOR_DOCKER_CLI_IMAGE", ctx.env) + f" (script: {plan.spec.image})",
        "compose file": str(plan.model.file), "project": plan.model.name, "module service": plan.service.name,
        "code": f"{plan.source} -> {plan.module_dir}"}
    if plan.spec.privileged:
        evidence["--privileged"] = "dropped: a socket mount needs none (and some engines refuse it)"
    module_image = None
    if daemon.image_info(ctx, plan.service.image) is None:
        module_image = images.probe_image(ctx.env)
        evidence["module image"] = f"{plan.service.image} is not built: stood in by {module_image}"
    temp_volumes = {}
    for key, real, _target in plan.volumes:
        if daemon.inspect_volume(ctx, real) is None:
            temp_volumes[key] = f"dind-doctor-{ctx.run_id}-{key}"
    compose_outer = outer_path(plan.spec, plan.model.file)
    try:
        sentinel.write_text(f"dind-doctor levels {ctx.run_id}\n")
        host_sentinel = manifest.file_entry(sentinel)
        files = outer_script(plan, sentinel, compose_outer, ctx.run_id, module_image, temp_volumes)
        code, output = run_outer(ctx, plan, files, extra_env or {}, wait)
    finally:
        sentinel.unlink(missing_ok=True)
    obs = parse_observations(output)
    if code != 0 and not any(k.startswith("exit ") for k in obs):
        raise ProbeError(f"the outer stand-in stopped (exit {code}) before the module level reported: "
                         "killed, or its daemon failed mid-walk")
    return _rows(plan, obs, code, host_sentinel, compose_outer, temp_volumes, module_image), evidence


def _rows(plan, obs, code, host_sentinel, compose_outer, temp_volumes, module_image) -> list[Row]:
    outer, module = obs.get("outer", {}), obs.get("module")
    exit_line = next((k for k in obs if k.startswith("exit ")), None)
    chatter = " | ".join(v[0] for v in obs.get("other", {}).values())[-300:]
    if module is None or exit_line is None or (exit_line != "exit 0" and not module):
        why = ("the run script mounts no Docker socket" if not plan.spec.socket else
               "the compose file is not visible in the outer container" if not compose_outer else
               f"the outer stand-in stopped (exit {code})" if exit_line is None else
               f"`docker compose run` failed: {chatter or exit_line}")
        module, module_unknown = {}, why
    else:
        module_unknown = ""
    out_where = "not under any folder the run script mounts"
    vol_for_code = next(((k, r) for k, r, t in plan.volumes if t == plan.module_dir), None)
    if vol_for_code:
        mod_where = (f"{plan.module_dir} is named volume {vol_for_code[1]}: filled from the image ONCE; "
                     "later files never reach it")
    else:
        mod_where = f"{plan.module_dir} comes from the image: baked at build time (rebuild to see changes)"
    if module_image:
        mod_where = f"the image {plan.service.image} is not built"

    def cells(row_id: str, expected, host_cell: Cell, outer_applies: bool = True) -> dict[str, Cell]:
        result = {"host": host_cell}
        result["outer"] = _file_cell(outer.get(row_id), expected, out_where) if outer_applies else Cell(NOT_APPLICABLE)
        result["module"] = Cell(UNKNOWN, module_unknown) if module_unknown else \
            _file_cell(module.get(row_id), expected, mod_where)
        return result

    rows = [Row("sentinel", f"sentinel file in {plan.source.name}/",
                cells("sentinel", host_sentinel, Cell(SEEN)))]
    env_rel = plan.env_file.name if plan.env_file else ".env"
    env_entry = manifest.file_entry(plan.env_file) if plan.env_file and plan.env_file.is_file() else None
    env_row = Row("env-file", f"{plan.source.name}/{env_rel}" if plan.env_file else ".env",
                  cells("env-file", env_entry, Cell(SEEN) if env_entry else Cell(MISSING, "no env_file on the host")))
    keys_arrive = bool(plan.env_keys) and all((module.get(k) or ("", "", ""))[2] == "set" for k in plan.env_keys)
    if env_row.cells["module"].state == MISSING and keys_arrive:
        env_row.cells["module"] = Cell(NOT_APPLICABLE, "not copied (fine): its keys arrive as variables")
    rows.append(env_row)
    if plan.code:
        code_cells = {rel: cells(f"code:{rel}", entry, Cell(SEEN)) for rel, entry in plan.code.items()}
        merged = {}
        for level in ("host", "outer", "module"):
            states = [c[level] for c in code_cells.values()]
            worst = next((s for s in (UNKNOWN, MISSING, STALE, EMPTY) if any(c.state == s for c in states)), SEEN)
            bad = [rel for rel, c in code_cells.items() if c[level].state == worst]
            note = next((c.note for c in states if c.state == worst), "")
            merged[level] = Cell(worst, f"{note} ({', '.join(bad[:3])})" if worst in (MISSING, STALE) else note)
        rows.append(Row("code", f"module code ({len(plan.code)} file(s) of {plan.source.name}/)", merged))
    for key, real, target in plan.volumes:
        temp = key in temp_volumes
        # Not created yet is not a loss: a first `up` creates it (the walk used a throw-away one).
        host = Cell(NOT_APPLICABLE, f"volume {real} is not created yet") if temp else Cell(SEEN, f"volume {real} exists")
        row = Row(f"volume:{key}", f"named volume {key}", {"host": host, "outer": Cell(NOT_APPLICABLE)})
        row.cells["module"] = Cell(UNKNOWN, module_unknown) if module_unknown else \
            _file_cell(module.get(f"volume:{key}"), None, f"not mounted on {target}")
        if row.cells["module"].state == EMPTY:
            row.cells["module"] = Cell(EMPTY, mod_where if module_image else "nothing filled it (nocopy, or the "
                                       "image holds nothing there)")
        rows.append(row)
    for key in plan.env_keys:
        state = (module.get(key) or ("E", key, "unset"))[2] if not module_unknown else None
        module_cell = Cell(UNKNOWN, module_unknown) if state is None else \
            Cell({"set": SEEN, "empty": EMPTY}.get(state, MISSING),
                 "" if state == "set" else f"{key} is {state} in the module container (env_file/environment)")
        outer_cell = Cell(SEEN) if env_row.cells["outer"].state == SEEN else \
            Cell(MISSING, f"compose reads {env_rel} in the outer container, and it is not there")
        rows.append(Row(f"var:{key}", f"variable {key}", {"host": Cell(SEEN, f"in {env_rel}"), "outer": outer_cell,
                                                           "module": module_cell}))
    return rows
