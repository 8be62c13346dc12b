"""The bounded, name-only walk of a project: what matters first, what a project never ships skipped.

One breadth-first pass reads directory entries only (no file content, no stat beyond what scandir
gives), so a tree of 100,000 files costs about what `find DIR -type f` costs. Files are ranked by name
(tier 0: compose files, Dockerfiles, scripts, .env files, .dockerignore/.gitattributes; tier 1: Markdown,
requirements, Python; tier 2: the rest) and the MAX_FILES kept are the best ranked, wherever they sit in
the tree: a data folder of 95,000 files can no longer push the compose file out. Memory stays bounded:
at most MAX_FILES paths are kept, the rest only counted (per top-level folder, to say where they were).
Symlinks are not followed; one that leads out of the project, and FIFOs, sockets and devices, are kept
aside (`special`) to be reported, never read. Folders git ignores whole (`ignored`, from git_ignored.py)
are walked last, name only, for the files that matter there (IgnoredTrees): they are not the project's
source, but what `COPY . .` bakes into an image is what `.dockerignore`, not `.gitignore`, leaves out.
"""
from __future__ import annotations

import os
import re
from collections import Counter
from operator import attrgetter
from ..records import dataclass, field
from pathlib import Path

from .file_names import is_compose_name, is_dockerfile_name, is_env_name
from .safe_open import classify, kind_of_mode

MAX_FILES = 5000
MAX_ENTRIES = 300_000  # directory entries looked at, files and folders: past it the walk stops
MAX_DEPTH = 12
MAX_SPECIAL = 200  # symlinks out of the project and non-regular files kept for the report
MAX_IGNORED_KEPT = 1000  # tier-0 files (.env, Dockerfiles, ...) kept from the folders git ignores
SKIP_DIRS = frozenset({
    ".git", ".hg", ".svn", "node_modules", ".venv", "venv", "__pycache__", ".tox", ".nox", ".mypy_cache",
    ".pytest_cache", ".ruff_cache", ".hypothesis", "site-packages", ".idea", ".vscode", ".terraform", ".eggs",
    "bower_components", ".gradle", ".next", ".nuxt", ".parcel-cache", ".yarn", ".pnpm-store", ".cache",
    ".sass-cache", ".dart_tool", ".direnv", ".bundle", ".ipynb_checkpoints", "dist-packages",
})
# The kernel's pseudo-filesystems: met only when the project is `/` (a `check` run from the root of a
# container). Their files are not the project's, and some block on read (/proc/kmsg).
PSEUDO_FS = frozenset({"/proc", "/sys", "/dev"})
SCRIPT_SUFFIXES = (".sh", ".bash", ".ps1", ".psm1", ".bat", ".cmd")
TIER1_SUFFIXES = (".md", ".markdown", ".txt", ".in", ".py", ".yml", ".yaml", ".json", ".toml", ".cfg", ".ini")


def tier(name: str) -> int:
    """0 for the files dind-doctor's checks are about, 1 for those they may read, 2 for the rest."""
    known = _TIERS.get(name)
    if known is None:
        known = _tier(name)
        if len(_TIERS) < MAX_TIERS_CACHED:
            _TIERS[name] = known
    return known


# The walk ranks every file it meets: data folders repeat the same names (row0001.csv in each shard), so
# each name is ranked once (a cache bounded in size, filled first come).
_TIERS: dict[str, int] = {}
MAX_TIERS_CACHED = 20_000
_NAME = attrgetter("name")  # the sort key of a folder's entries
# Every name of tier 0 holds one of these (a cheap filter before the exact predicates of file_names).
TIER0_HINTS = re.compile(r"env|docker|compose|containerfile|entrypoint|\.gitattributes")


def _tier(name: str) -> int:
    lower = name.lower()
    if _matters(name, lower):
        return 0
    return 1 if lower.endswith(TIER1_SUFFIXES) or "." not in lower else 2  # extension-less: maybe a shebang script


def _matters(name: str, lower: str) -> bool:
    if lower.endswith(SCRIPT_SUFFIXES):
        return True
    if TIER0_HINTS.search(lower) is None:
        return False
    return (lower in (".dockerignore", ".gitattributes")
            or lower.endswith(".dockerignore") or lower.startswith(("entrypoint", "docker-entrypoint"))
            or is_compose_name(name) or is_dockerfile_name(name) or is_env_name(name))


def skipped_dir(entry: os.DirEntry) -> bool:
    """A folder a project never ships into an image, by its name: VCS data, dependencies, caches, the
    kernel's pseudo-filesystems. A virtual environment of any name is told by its listing (a_venv)."""
    name = entry.name
    return name in SKIP_DIRS or name.endswith(".egg-info") or entry.path in PSEUDO_FS


def a_venv(entries: list[os.DirEntry]) -> bool:
    """A folder's listing holds `pyvenv.cfg`: a virtual environment, whatever its name. Told from the listing
    the walk makes anyway, not by a stat of `pyvenv.cfg` in every folder (177 on the user's repository)."""
    return any(entry.name == "pyvenv.cfg" for entry in entries)


def holds_pyvenv_cfg(folder: str) -> bool:
    """The same question for a folder the walk will not list (too deep, or git ignores it): one stat."""
    return os.path.exists(os.path.join(folder, "pyvenv.cfg"))


@dataclass
class Special:
    """An entry the walk met but will never read: a symlink out of the project, a FIFO, socket, device."""

    path: Path
    kind: str  # a safe_open.REFUSALS kind


@dataclass
class WalkStop:
    """Why and where the walk did not cover the whole tree."""

    entries_seen: int
    files_seen: int
    files_kept: int
    files_dropped: int = 0  # regular files seen but not kept (past MAX_FILES, the lowest ranked)
    dropped_under: list[tuple[str, int]] = field(default_factory=list)  # top-level folder, files dropped
    stopped_at: str | None = None  # the folder where MAX_ENTRIES ran out (the rest of the tree was not seen)
    too_deep: int = 0  # folders below MAX_DEPTH, not entered


@dataclass
class IgnoredTrees:
    """The folders git ignores whole: not the project's source (not in Walk.paths), walked name only."""

    folders: list[str]  # relative, forward slashes, in walk order (the first ones, for the report)
    count: int  # folders skipped
    files_seen: int = 0
    kept: list[Path] = field(default_factory=list)  # their tier-0 files: .env, Dockerfiles, compose, scripts
    partial: bool = False  # the entry budget ran out inside them: not all their files were seen


@dataclass
class Walk:
    paths: list[Path]  # best ranked first
    special: list[Special]
    stop: WalkStop | None  # None: the whole tree was seen and every file kept
    entries_seen: int
    regular: frozenset[Path] = frozenset()  # the kept paths that were regular files (not links) when walked
    ignored: IgnoredTrees | None = None  # None: git ignores no folder here (or was not asked)


def walk(root: Path, max_files: int = MAX_FILES, max_entries: int = MAX_ENTRIES,
         ignored: frozenset[str] = frozenset()) -> Walk:
    """`ignored`: absolute paths of the folders git ignores whole, walked last (see IgnoredTrees)."""
    root_real = os.path.realpath(root)
    tiers: list[list[Path]] = [[], [], []]
    counts = [0, 0, 0]  # len(tiers[rank]), kept in step: the hot loop does no sums
    dropped: Counter[str] = Counter()  # top-level folder -> files seen but not kept
    special: list[Special] = []
    regular: set[Path] = set()  # kept paths that were regular files, not links: at most max_files
    seen = files_seen = too_deep = 0
    stopped_at: str | None = None
    queue: list[tuple[str, int, str]] = [(os.fspath(root), 0, ".")]  # folder, depth, its top-level folder
    later: list[tuple[str, int]] = []  # folders git ignores: walked after the project's own
    head = 0
    while head < len(queue):
        folder, depth, top = queue[head]
        head += 1
        try:
            with os.scandir(folder) as it:
                entries = sorted(it, key=_NAME)
        except OSError:  # an unreadable folder is skipped, like the files it would hold
            continue
        if depth and a_venv(entries):
            continue
        if seen + len(entries) > max_entries:
            stopped_at = folder
            break
        seen += len(entries)
        for entry in entries:
            try:
                if entry.is_dir(follow_symlinks=False):
                    if skipped_dir(entry):
                        continue
                    if depth >= MAX_DEPTH:
                        too_deep += 0 if holds_pyvenv_cfg(entry.path) else 1
                        continue
                    if ignored and entry.path in ignored:
                        if not holds_pyvenv_cfg(entry.path):  # a venv git ignores: skipped, not reported
                            later.append((entry.path, depth + 1))
                        continue
                    queue.append((entry.path, depth + 1, entry.name if depth == 0 else top))
                    continue
                if entry.is_file(follow_symlinks=False):
                    kind = "regular"
                elif entry.is_symlink():
                    kind, _ = classify(root_real, entry.path)  # a link inside to a regular file is read
                else:
                    kind = kind_of_mode(entry.stat(follow_symlinks=False).st_mode)
            except OSError:
                continue
            if kind == "directory" or kind == "missing":  # a link to a folder is not followed; dangling: nothing
                continue
            if kind not in ("file", "regular"):
                if len(special) < MAX_SPECIAL:
                    special.append(Special(Path(entry.path), kind))
                continue
            files_seen += 1
            rank = tier(entry.name)
            if counts[0] + (counts[1] if rank >= 1 else 0) + (counts[2] if rank == 2 else 0) >= max_files:
                dropped[top] += 1  # the better ranked already fill the budget
                continue
            kept = Path(entry.path)
            tiers[rank].append(kept)
            counts[rank] += 1
            if kind == "regular":
                regular.add(kept)
            if counts[0] + counts[1] + counts[2] > max_files:  # drop the last of the lowest ranked kept
                worst = 2 if counts[2] else 1
                gone = tiers[worst].pop()
                regular.discard(gone)
                dropped[_top(root, os.fspath(gone))] += 1
                counts[worst] -= 1
    paths = tiers[0] + tiers[1] + tiers[2]
    stop = None
    if dropped or stopped_at or too_deep:
        stop = WalkStop(seen, files_seen, len(paths), sum(dropped.values()), dropped.most_common(3),
                        stopped_at, too_deep)
    trees = None
    if later:
        trees = IgnoredTrees([_rel(root, folder) for folder, _ in later[:5]], len(later))
        if stopped_at is None:
            seen = _walk_ignored(root_real, later, trees, max_entries - seen, regular) + seen
    return Walk(paths, special, stop, seen, frozenset(regular), trees)


def _walk_ignored(root_real: str, queue: list[tuple[str, int]], trees: IgnoredTrees, budget: int,
                  regular: set[Path]) -> int:
    """Walks the ignored folders name only, keeping their tier-0 files in `trees`; the entries seen."""
    seen = head = 0
    while head < len(queue):
        folder, depth = queue[head]
        head += 1
        try:
            with os.scandir(folder) as it:
                entries = sorted(it, key=_NAME)
        except OSError:
            continue
        if a_venv(entries):
            continue
        if seen + len(entries) > budget:
            trees.partial = True
            break
        seen += len(entries)
        for entry in entries:
            try:
                if entry.is_dir(follow_symlinks=False):
                    if not skipped_dir(entry) and depth < MAX_DEPTH:
                        queue.append((entry.path, depth + 1))
                    continue
                plain = entry.is_file(follow_symlinks=False)
                if not plain and not (entry.is_symlink() and classify(root_real, entry.path)[0] == "file"):
                    continue  # a link out, a FIFO, a socket: never read, and not the project's either
            except OSError:
                continue
            trees.files_seen += 1
            if len(trees.kept) < MAX_IGNORED_KEPT and tier(entry.name) == 0:
                kept = Path(entry.path)
                trees.kept.append(kept)
                if plain:
                    regular.add(kept)
    return seen


def _rel(root: Path, path: str) -> str:
    return os.path.relpath(path, root).replace(os.sep, "/")


def _top(root: Path, path: str) -> str:
    rel = os.path.relpath(path, root)
    first = rel.split(os.sep, 1)[0]
    return "." if first == rel else first
