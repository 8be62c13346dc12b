"""Which folder of the build context a Dockerfile copies to a given path of the image.

The folder a named volume is meant to mirror is the one the image copies to the volume's mount path: in the
seed, `WORKDIR /home/app` + `COPY app/ .` makes `app/` the source of `/home/app`. Only the last stage
counts (it is the image that runs); `COPY --from=...` copies from another image, not from the context.
"""
from __future__ import annotations

import json
import posixpath
import shlex
from pathlib import Path


def _logical_lines(text: str) -> list[str]:
    lines, current = [], ""
    for raw in text.splitlines():
        stripped = raw.strip()
        if not current and (not stripped or stripped.startswith("#")):
            continue
        if stripped.endswith("\\"):
            current += stripped[:-1] + " "
            continue
        lines.append(current + stripped)
        current = ""
    if current:
        lines.append(current)
    return lines


def _args(rest: str) -> list[str]:
    rest = rest.strip()
    flags = []
    while rest.startswith("--"):  # `COPY --chown=1:1 ["a", "b"]`: flags come before the JSON form
        flag, _, rest = rest.partition(" ")
        flags.append(flag)
        rest = rest.strip()
    if flags:
        return flags + _args(rest)
    if rest.startswith("["):
        try:
            return [str(a) for a in json.loads(rest)]
        except ValueError:
            pass
    try:
        return shlex.split(rest)
    except ValueError:
        return rest.split()


def copies_to(dockerfile_text: str, target: str) -> list[str]:
    """Context-relative sources the last stage copies into `target` (a folder of the image)."""
    workdir = "/"
    found: list[str] = []
    target = posixpath.normpath(target)
    for line in _logical_lines(dockerfile_text):
        word, _, rest = line.partition(" ")
        word = word.upper()
        if word == "FROM":
            workdir, found = "/", []
        elif word == "WORKDIR":
            path = _args(rest)[0] if _args(rest) else "/"
            workdir = posixpath.normpath(posixpath.join(workdir, path))
        elif word in ("COPY", "ADD"):
            args = _args(rest)
            if any(a.startswith("--from") for a in args):
                continue
            args = [a for a in args if not a.startswith("--")]
            if len(args) < 2:
                continue
            dest = args[-1]
            into_folder = dest.endswith("/") or dest in (".", "./") or len(args) > 2
            dest = posixpath.normpath(posixpath.join(workdir, dest))
            for src in args[:-1]:
                # `COPY app/ .` copies the folder's CONTENT into dest; `COPY x.txt .` puts x.txt in dest.
                if dest == target and into_folder:
                    found.append(src)
    return found


def source_folder(dockerfile: Path, context: Path, target: str) -> Path | None:
    """The context folder whose content the image holds at `target`, when the Dockerfile says so."""
    try:
        text = dockerfile.read_text(encoding="utf-8-sig", errors="replace")
    except OSError:
        return None
    for src in copies_to(text, target):
        candidate = (context / src).resolve()
        if candidate.is_dir() and (candidate == context.resolve() or context.resolve() in candidate.parents):
            return candidate
    return None
