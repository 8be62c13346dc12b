"""What a path written in a project file looks like: a Windows drive path, a UNC path, a URL, a POSIX path.

The ONE place that knows the drive-letter pattern: a Windows path can be written on any machine (a compose
file shared between a Windows and a Linux user), so these are pure string tests, never `os.path`.
"""
from __future__ import annotations

import re
from pathlib import PureWindowsPath

# `C:` followed by a separator or nothing: `C:\x`, `C:/x`, `C:`. Compose (compose-go ParseVolume) also takes
# any single letter before the first `:` of a volume spec as a drive; mount_spec applies that rule itself.
DRIVE = re.compile(r"^[A-Za-z]:(?=[\\/]|$)")
# Git Bash / MSYS spelling of a drive: `/c/Users/...` and the conversion-proof `//c/Users/...`.
MSYS_DRIVE = re.compile(r"^/{1,2}([A-Za-z])(?=/|$)")
URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
GIT_REMOTE = re.compile(r"^(git@[^:/]+:|github\.com/|gitlab\.com/|bitbucket\.org/)")


def has_drive(path: str) -> bool:
    """`C:\\x`, `C:/x`, `C:` (not `c:name`, which is not a path anywhere)."""
    return bool(DRIVE.match(path))


def is_unc(path: str) -> bool:
    """`\\\\server\\share` (also a named pipe `\\\\.\\pipe\\docker_engine`)."""
    return path.startswith("\\\\")


def is_windows_absolute(path: str) -> bool:
    return has_drive(path) or is_unc(path)


def is_url(text: str) -> bool:
    """A scheme (`https://`, `git://`, `ssh://`, `tcp://`) or an scp-like git remote (`git@host:repo`)."""
    return bool(URL.match(text) or GIT_REMOTE.match(text))


def windows_normalized(path: str) -> str:
    """`C:/Users/me/../x` -> `C:\\Users\\x` (Windows semantics, whatever this machine runs)."""
    folded = PureWindowsPath(path)
    parts: list[str] = []
    for part in folded.parts[1:]:
        if part == "..":
            if parts:
                parts.pop()
        elif part != ".":
            parts.append(part)
    return str(PureWindowsPath(folded.anchor, *parts))


def is_path_like(source: str) -> bool:
    """A mount source that is a host path rather than a volume name, by compose-go's rule (`.`, `/`, `~`,
    a drive, a UNC path), plus a leading variable or command substitution (`${PWD}`, `$(pwd)`, `%cd%`),
    which in a script stands for a folder."""
    if not source:
        return False
    return source[0] in "./~$%`" or is_unc(source) or has_drive(source)  # `pwd`: bash command substitution
