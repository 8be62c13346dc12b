"""Hand-made volume syncs in the project's scripts and README blocks: `docker run ... -v SRC:/source -v
VOL:/mnt busybox sh -c "cp -r /source/* /mnt/"`.

`/source/*` is expanded by the shell in the helper container, and `*` does not match names that start with
a dot: `.env` never arrives. `/source/.` copies everything. Either way the copy is stale after the next
edit. The (volume, source folder) pair such a line names is also what `sync-volume` with no arguments uses
when no build tells it.
"""
from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from typing import Iterable

CP = re.compile(r"\bcp\s+(?:-[A-Za-z]+\s+)*[\"']?(?P<src>/[^\s\"'*]*?)/(?P<what>\*|\.)[\"']?(?:\s|$)")
SUFFIXES = (".ps1", ".sh", ".bash", ".bat", ".cmd", ".md", ".txt", "makefile")


@dataclass(frozen=True)
class HandSync:
    rel: str
    line: int
    column: int
    skips_dotfiles: bool  # `/source/*`
    source: str | None  # the host folder given to -v for the copy's source, as written
    volume: str | None  # the volume given to -v for the copy's target


def volume_specs(line: str) -> list[str]:
    """The values of -v / --volume on a command line (quotes removed, as the shell would)."""
    try:
        words = shlex.split(line, comments=False)
    except ValueError:  # an unbalanced quote: words as they stand
        words = line.split()
    specs = []
    for i, word in enumerate(words):
        if word in ("-v", "--volume") and i + 1 < len(words):
            specs.append(words[i + 1])
        elif word.startswith(("--volume=", "-v=")):
            specs.append(word.split("=", 1)[1])
    return specs


def _mount_of(specs: list[str], container_path: str) -> str | None:
    for spec in specs:
        left, sep, right = spec.rpartition(":")
        if not sep:
            continue
        if right in (container_path, container_path.rstrip("/")):
            return left
        # `-v vol:/mnt:rw`: one more field
        left2, sep2, right2 = left.rpartition(":")
        if sep2 and right2 == container_path and right in ("ro", "rw", "z", "Z"):
            return left2
    return None


def find_in_text(rel: str, text: str) -> Iterable[HandSync]:
    for number, line in enumerate(text.splitlines(), 1):
        if "cp" not in line:
            continue
        match = CP.search(line)
        if match is None:
            continue
        specs = volume_specs(line)
        src_dir = match.group("src")
        target = re.search(r"\s(/[^\s\"']*)", line[match.end() - 1:])
        volume = _mount_of(specs, target.group(1).rstrip("/")) if target else None
        yield HandSync(rel, number, match.start() + 1, match.group("what") == "*", _mount_of(specs, src_dir), volume)


def find_hand_syncs(files) -> list[HandSync]:
    """Every hand-made copy into a volume in the project's scripts and Markdown (through ProjectFiles)."""
    found: list[HandSync] = []
    for path in files.matching(lambda p: p.name.lower().endswith(SUFFIXES)):
        content = files.read(path)
        if content.usable and "cp" in content.text:
            found.extend(find_in_text(content.rel, content.text))
    return found


def project_hand_syncs(ctx) -> list[HandSync]:
    """The project's hand-made syncs, found once per run (a check and the volume pairs both ask)."""
    from ..project.files import project_files

    files = project_files(ctx)
    return ctx.memo("airflow hand syncs", lambda: find_hand_syncs(files))
