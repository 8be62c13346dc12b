"""The `docker run` of the project's run script (run_host.ps1, run_host.sh...), read well enough to start a
stand-in for the outer container the same way: its binds, socket, variables and working folder.

Shell dialects: PowerShell backtick and bash/cmd continuations; `${pwd}`, `${PWD}`, `$pwd`, `$PWD`,
`$(pwd)`, `%cd%` stand for the folder the script is run from; Git Bash's `//var/run/docker.sock` is the
socket. Not a shell: variables other than the current folder are left as written.
"""
from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path

from ..project.host_paths import is_windows_absolute
from ..project.mount_spec import parse_mount_option, parse_short

SOCKET = "/var/run/docker.sock"
_SCRIPT_SUFFIXES = (".ps1", ".sh", ".cmd", ".bat")
_PWD = re.compile(r"\$\{pwd\}|\$pwd\b|\$\(pwd\)|%cd%|\$\{PWD\}|\$PWD\b", re.IGNORECASE)
# Options of `docker run` that take a value (the rest are flags); enough to find the image.
_VALUED = {"-v", "--volume", "-e", "--env", "--env-file", "-w", "--workdir", "--mount", "--name", "-p",
           "--publish", "--network", "--net", "-u", "--user", "--entrypoint", "-h", "--hostname", "-l",
           "--label", "--add-host", "--cap-add", "--cap-drop", "--security-opt", "--device", "--platform",
           "--restart", "--memory", "-m", "--cpus", "--tmpfs", "--volumes-from", "--pull", "--shm-size"}


@dataclass
class RunSpec:
    script: Path
    run_from: Path  # the folder the script is meant to be run from
    image: str = ""
    binds: list[tuple[str, str, str]] = field(default_factory=list)  # (host source, target, mode)
    env: dict[str, str | None] = field(default_factory=dict)  # None: taken from the caller's environment
    workdir: str | None = None
    privileged: bool = False
    socket: bool = False


def _joined(text: str) -> str:
    """One logical line per command: continuations (`, \\, ^ at the end of a line) joined."""
    return re.sub(r"[`\\^][ \t]*\r?\n", " ", text)


def _split(text: str, windows: bool) -> list[str]:
    """Words of a command line; in PowerShell and cmd a backslash is a path separator, not an escape."""
    try:
        if not windows:
            return shlex.split(text, comments=True)
        words = shlex.split(text, comments=True, posix=False)
        return [w[1:-1] if len(w) > 1 and w[0] == w[-1] and w[0] in "'\"" else w for w in words]
    except ValueError:
        return text.split()


def docker_run_tokens(text: str, windows: bool = False) -> list[str] | None:
    for line in _joined(text).splitlines():
        stripped = line.strip()
        if stripped.startswith(("#", "REM ", "::")):
            continue
        m = re.search(r"\bdocker(?:\.exe)?\s+(?:container\s+)?run\b(.*)", stripped)
        if m:
            return _split(m.group(1), windows)
    return None


def _host_path(raw: str, run_from: Path) -> str:
    path = _PWD.sub(lambda _m: str(run_from), raw)
    if path.startswith("//") and not path.startswith("///"):
        path = path[1:]  # Git Bash's escape of /var/run/docker.sock
    return path


def _absolute(source: str, run_from: Path) -> str:
    return str((run_from / source).resolve()) if source.startswith(".") else source


def parse(text: str, script: Path, run_from: Path) -> RunSpec | None:
    tokens = docker_run_tokens(text, script.suffix.lower() in (".ps1", ".cmd", ".bat"))
    if tokens is None:
        return None
    spec = RunSpec(script, run_from)
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if not token.startswith("-"):
            spec.image = _PWD.sub(str(run_from), token)
            break
        name, eq, inline = token.partition("=")
        value = inline if eq else (tokens[i + 1] if name in _VALUED and i + 1 < len(tokens) else "")
        i += 1 if eq or name not in _VALUED else 2
        if name in ("-v", "--volume"):
            _add_volume(spec, value)
        elif name == "--mount":
            mount = parse_mount_option(value)
            if mount.is_bind:
                source = _host_path(mount.source, run_from)
                spec.binds.append((_absolute(source, run_from), mount.target, "ro" if mount.read_only else ""))
        elif name in ("-e", "--env"):
            key, has, val = value.partition("=")
            spec.env[key] = val if has else None
        elif name in ("-w", "--workdir"):
            spec.workdir = value
        elif name == "--privileged":
            spec.privileged = True
    spec.socket = any(t == SOCKET for _s, t, _m in spec.binds)
    return spec


def _add_volume(spec: RunSpec, value: str) -> None:
    mount = parse_short(_host_path(value, spec.run_from))
    if mount.is_bind and (is_windows_absolute(mount.source) or mount.source.startswith(("/", "."))):
        spec.binds.append((_absolute(mount.source, spec.run_from), mount.target, ",".join(mount.options)))


def find(project: Path, files=None) -> RunSpec | None:
    """The first run script (by name run*, then any) holding a `docker run`, read from the folder that
    holds its mount sources: the script's folder or its parent (the seed's scripts run from above hosted/).
    `files`: the run's shared ProjectFiles (the bounded walk and read-once, BOM/UTF-16-aware cache)."""
    from ..project.files import ProjectFiles

    files = files or ProjectFiles(project)
    candidates = sorted((p for p in files.by_suffix(*_SCRIPT_SUFFIXES) if len(p.relative_to(files.root).parts) <= 3),
                        key=lambda p: (not p.name.lower().startswith("run"), len(p.parts), str(p)))
    for script in candidates:
        content = files.read(script)
        if not content.usable:
            continue
        for run_from in (script.parent, script.parent.parent):
            spec = parse(content.text, script, run_from)
            if spec is None:
                break
            sources = [s for s, t, _m in spec.binds if t != SOCKET]
            if all(Path(s).exists() for s in sources):
                return spec
    return None
