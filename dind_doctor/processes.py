"""The two questions the tool asks about local processes: the names of this process's ancestors (which
shell the user types in) and whether a process of a given name runs here (a DinD container's own dockerd).

On Linux both are read from /proc, as psutil itself does there: psutil's import is ~8 ms of every run's
start-up, for what is two small file reads per ancestor. Elsewhere (Windows, macOS) psutil answers.
"""
from __future__ import annotations

import os
import sys

PROC = "/proc"


def _stat(pid: int, proc: str) -> tuple[str, int]:
    """(name, parent pid) from /proc/PID/stat: `pid (comm) state ppid ...`; comm may hold spaces and
    parentheses, so it ends at the last ')'."""
    with open(f"{proc}/{pid}/stat", "rb") as fh:
        stat = fh.read()
    name = stat[stat.index(b"(") + 1:stat.rindex(b")")].decode("utf-8", "replace")
    return name, int(stat[stat.rindex(b")") + 2:].split()[1])


def ancestor_names(limit: int = 8, proc: str | None = None, pid: int | None = None) -> list[str]:
    """Names of the ancestors of process `pid` (this one by default), nearest first; empty when they
    cannot be read."""
    proc = proc or (PROC if sys.platform.startswith("linux") else None)
    try:
        if proc is not None:
            names: list[str] = []
            pid = os.getppid() if pid is None else _stat(pid, proc)[1]
            while pid > 0 and len(names) < limit:
                name, pid = _stat(pid, proc)
                names.append(name)
            return names
        import psutil

        names = []
        parent = psutil.Process().parent()
        while parent is not None and len(names) < limit:
            names.append(parent.name())
            parent = parent.parent()
        return names
    except Exception:  # psutil missing, access denied, a process gone: detection just has fewer clues
        return []


def running(name: str, proc: str | None = None) -> bool:
    """Does a process called `name` run in this PID namespace?"""
    proc = proc or (PROC if sys.platform.startswith("linux") else None)
    try:
        if proc is not None:
            for entry in os.listdir(proc):
                if entry.isdigit():
                    try:
                        with open(f"{proc}/{entry}/comm", "rb") as fh:
                            if fh.read().rstrip(b"\n").decode("utf-8", "replace") == name:
                                return True
                    except OSError:  # gone meanwhile, or not ours to read
                        continue
            return False
        import psutil

        return any((p.info.get("name") or "") == name for p in psutil.process_iter(["name"]))
    except Exception:
        return False
