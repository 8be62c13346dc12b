"""pwd-path-forms, the live part: the folder a run script mounts (its `${PWD}/...` source) gets a sentinel
file, is mounted into a labelled probe container the way the script does (translated to the daemon's path
when running in a container), and the probe must read the sentinel back. The container is the run's shared
probe (engine/shared_probe.py: the project mounted, started while the checks run) when the folder is in
the project, else one of its own. No probe at all where the daemon runs in this process's mount namespace
with the same root (daemon_mounts.py): it finds the folder at the path seen here, and the evidence says so."""
from __future__ import annotations

import shutil
from pathlib import Path
from typing import TYPE_CHECKING

from dind_doctor.model import Finding, Level, Location, Status, same_fix
from dind_doctor.project.docker_commands import MountArg
from dind_doctor.project.files import ProjectFiles
from dind_doctor.project.scripts import ScriptSource

if TYPE_CHECKING:
    from dind_doctor.check import Check
    from dind_doctor.context import Context
    from dind_doctor.engine.probes import ProbeResult

SENTINEL_DIR = "/dind-doctor-probe"


def daemon_shares_mounts(ctx: Context) -> str | None:
    """daemon_mounts.shares_mounts for the run's endpoint, once per run."""
    from dind_doctor.daemon_mounts import shares_mounts

    return ctx.memo("daemon shares mounts", lambda: shares_mounts(ctx.endpoint.socket_path if ctx.endpoint else None))


def warm(check: Check, ctx: Context) -> None:
    """Start the run's shared probe (the project mounted) when a script may mount a folder of it: a
    `${PWD}`-like reference anywhere in a script's text (what the check then parses is a subset)."""
    from dind_doctor.engine.shared_probe import shared_probe
    from dind_doctor.project.current_folder import folder_refs

    if check.option(ctx, "live-probes") > 0 and not daemon_shares_mounts(ctx) and any(
            folder_refs(dialect).search(source.text) for dialect in ("powershell", "bash", "cmd")
            for source in ctx.project_model.scripts.of(dialect).sources if not source.markdown):
        shared_probe(ctx)


def live_findings(check: Check, ctx: Context, files: ProjectFiles,
                  live: list[tuple[ScriptSource, MountArg, str]]) -> list[Finding]:
    """One probe per distinct host folder (at most the check's `live-probes`), a WARN for a folder that
    exists nowhere, a SKIP for each folder when there is no engine. The shared probe goes afterwards."""
    from dind_doctor.engine.shared_probe import release

    try:
        return _live(check, ctx, files, live)
    finally:
        release(ctx)  # this check is its only user: removed now, while the other checks still run


def _live(check: Check, ctx: Context, files: ProjectFiles,
          live: list[tuple[ScriptSource, MountArg, str]]) -> list[Finding]:
    if not live:
        return []
    out: list[Finding] = []
    seen: set[Path] = set()
    for source, arg, rest in live:
        rest = rest.replace("\\", "/").lstrip("/")
        candidates = [ctx.project, source.path.parent, source.path.parent.parent]
        found = next((c / rest for c in candidates if (c / rest).is_dir()), None)
        where = Location(source.rel, arg.line, arg.column)
        if found is None:
            out.append(check.finding(
                Status.WARN, f"`{arg.value}` mounts a folder `{rest}` that exists neither in the project nor "
                             "next to the script", location=where,
                detail="Run from another folder, the daemon creates an EMPTY folder at that path and mounts it: "
                       "the container sees nothing. Check the spelling and the folder you run the script from."))
            continue
        host_dir = found.resolve()
        if host_dir in seen or len(seen) >= check.option(ctx, "live-probes"):
            continue
        seen.add(host_dir)
        if ctx.engine_error:
            out.append(check.finding(Status.SKIP, f"live mount probe of {files.rel(found)} skipped: "
                                                 f"{ctx.engine_error}", location=where))
            continue
        out.append(probe_folder(check, ctx, files, host_dir, where))
    return out


def read_sentinel(ctx: Context, host_dir: Path, daemon_dir: str, folder: Path) -> tuple[ProbeResult, str]:
    """The sentinel in `folder` (inside `host_dir`) read from the daemon's side: by an exec in the run's
    shared probe when its mount of the project holds `host_dir`, else by a probe container of its own
    mounting `daemon_dir`. Returns the result and which container read it."""
    from docker.types import Mount

    from dind_doctor.engine.errors import ProbeError
    from dind_doctor.engine.probes import run_probe
    from dind_doctor.engine.shared_probe import shared_probe

    shared = shared_probe(ctx)
    inside = shared.inside(host_dir, daemon_dir) if shared is not None else None
    if shared is not None and inside is not None:
        try:
            return (shared.run(["cat", f"{inside}/{folder.name}/sentinel"]),
                    f"the run's shared probe (the project mounted from {shared.daemon_root})")
        except ProbeError:
            pass  # the shared container is gone (a daemon restart): a probe of its own says what is wrong
    result = run_probe(ctx, ["cat", f"{SENTINEL_DIR}/{folder.name}/sentinel"], component="pwd-probe",
                       network_mode="none", mounts=[Mount(SENTINEL_DIR, daemon_dir, type="bind", read_only=True)])
    return result, f"its own (mounting {daemon_dir})"


def probe_folder(check: Check, ctx: Context, files: ProjectFiles, host_dir: Path, where: Location) -> Finding:
    """One labelled probe container mounting `host_dir` as the daemon sees it must read this run's sentinel."""
    from dind_doctor.levels.translate import translate
    from dind_doctor.engine.errors import ProbeError

    report = ctx.nesting()
    shown = files.rel(host_dir)
    t = translate(str(host_dir), report)
    if t.daemon_path is None and report.level is Level.DOOD:
        return check.finding(
            Status.FAIL, f"{shown} exists only inside this container: the daemon cannot mount it",
            location=where, evidence={"path here": str(host_dir), "mount": str(t.mount or "none"),
                                      "why": t.reason},
            detail="This container drives the host's daemon, which resolves bind sources on the HOST. "
                   "Mount the folder into this container from the host first, or use a named volume.")
    # Elsewhere (a dind sidecar, a remote or unknown daemon) the probe tries the path as it is here.
    daemon_dir = t.daemon_path or str(host_dir)
    evidence = {"host folder": str(host_dir), "daemon path": daemon_dir, "level": report.level.value}
    settled = daemon_shares_mounts(ctx)
    if settled and daemon_dir == str(host_dir):
        # Nothing is written here; a sentinel folder a run killed with -9 left still goes, as when one is.
        ctx.resources.sweep_sub_folders(host_dir)
        return check.finding(Status.OK, f"the daemon finds {shown} at the same path (daemon path {daemon_dir})",
                             location=where, evidence={**evidence, "probe container": f"not needed: {settled}"})
    import secrets  # here: --static never probes

    token = secrets.token_hex(8)
    # The probe must see the file through the bind mount, so it is written in the folder: in a
    # sub-folder of this run, registered before it exists, which the run's cleanup removes too.
    folder: Path | None = None
    try:
        folder = ctx.resources.sub_folder(host_dir)
        (folder / "sentinel").write_text(token, encoding="ascii")
    except (OSError, ProbeError) as exc:
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)
        return check.finding(Status.SKIP, f"live mount probe of {shown} skipped: cannot write a sentinel "
                                         f"({getattr(exc, 'strerror', None) or exc})", location=where,
                            evidence=evidence)
    try:
        result, evidence["probe container"] = read_sentinel(ctx, host_dir, daemon_dir, folder)
    except ProbeError as exc:
        reason = str(exc)
        if "does not exist" in reason:
            return check.finding(Status.FAIL, f"the daemon has no folder {daemon_dir}: {shown} was resolved on "
                                             "another host", location=where, evidence=evidence, detail=reason)
        return check.finding(Status.SKIP, f"live mount probe of {shown} could not run: {reason}",
                            location=where, evidence=evidence)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    if result.exit_code == 0 and result.output.strip() == token:
        return check.finding(Status.OK, f"a probe container mounting {shown} sees this folder (daemon path "
                                       f"{daemon_dir})", location=where, evidence=evidence)
    return check.finding(
        Status.FAIL, f"a probe container mounting {shown} sees an empty or different folder", location=where,
        evidence={**evidence, "probe": result.output.strip()[:120]},
        detail="The daemon mounted a folder of the same name on ITS host: the path was resolved on another "
               "host (a container driving the host's daemon, a remote daemon), Docker Desktop does not share "
               "that drive (Settings > Resources > File sharing), or the path has a typo.",
        fixes=same_fix("Mount the folder from the machine the daemon runs on, or use a named volume."))
