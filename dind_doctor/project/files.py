"""The one API through which dind-doctor reads the user's project: a bounded walk and a cached, safe read.

Every read of a project file goes through `ProjectFiles.read` / `head` (or `file_text.read_project_file`
where no Context exists: levels, run-reference). A read opens only a regular file whose real path is inside
the project (safe_open: a symlink out of the project, a FIFO, a socket or a device becomes a FileText whose
`refused` names what it is, never an open) and is decoded once (file_text.py). Every file is read at most
once per Context (several checks share the cache). `rel` is always printable: the bytes of a name that are
not UTF-8 are shown as \\xNN. The walk itself (what comes first, what is skipped, where it stopped) is in
walk.py.
"""
from __future__ import annotations

import os
import threading
from ..records import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable, Iterator

from .file_text import MAX_BYTES, FileText, decode, refused_text, rel_to
from .safe_open import REFUSALS, Refusal, classify, open_regular, read_bounded, real_root
from .walk import MAX_ENTRIES, MAX_FILES, IgnoredTrees, Special, WalkStop, walk

if TYPE_CHECKING:
    from ..context import Context
    from .git_ignored import Asking

MAX_TOTAL_BYTES = 256 * 1024 * 1024  # all reads of one run: 5,000 files of 1 MiB would hold 5 GiB in the cache


def unsafe_for_tools(root: Path, paths: Iterable[Path]) -> str | None:
    """Why a tool (`docker compose`) must not be handed these files, which it would read itself: the first
    that is a FIFO, socket or device (the tool would block on it) or a link out of `root` (its errors may
    quote what it read); None when each is a regular file inside `root`, or missing. Never opens a file."""
    root_real = real_root(root)
    for path in paths:
        kind, _ = classify(root_real, path)
        if kind not in ("file", "missing"):
            reason = kind[len("unreadable: "):] if kind.startswith("unreadable: ") else REFUSALS.get(kind, kind)
            return f"{rel_to(root, path)}: {reason}"
    return None


@dataclass
class ProjectFiles:
    """The project's files (bounded walk, best ranked first) and a read-once cache of their content."""

    root: Path
    max_files: int = MAX_FILES
    max_entries: int = MAX_ENTRIES
    paths: list[Path] = field(default_factory=list)
    special: list[Special] = field(default_factory=list)  # symlinks out of the project, FIFOs, sockets: not read
    stop: WalkStop | None = None  # set when the walk did not cover the whole tree
    max_total_bytes: int = MAX_TOTAL_BYTES
    over_budget: list[Path] = field(default_factory=list)  # not read: the run's read budget was spent
    ignored: IgnoredTrees | None = None  # the folders git ignores whole (None: none), their tier-0 files
    git_note: str | None = None  # why .gitignore could not be applied (git missing, failed)
    asking: "Asking | None" = None  # git already asked for root's ignored folders (else asked here)

    def __post_init__(self) -> None:
        from .git_ignored import ignored_folders

        self._cache: dict[Path, FileText] = {}
        self._lock = threading.Lock()
        self._root_real = real_root(self.root)
        # The folders git ignores whole are left out (git_ignored.py): asked already, or asked here.
        asked = self.asking.answer() if self.asking is not None and self.asking.root == self.root \
            else ignored_folders(self.root)
        done = walk(self.root, self.max_files, self.max_entries, asked.folders)
        self.paths, self.special, self.stop = done.paths, done.special, done.stop
        self.ignored, self.git_note = done.ignored, asked.note
        self._seen_regular = done.regular  # walked entries that were regular files, not links
        # The project's files and, name only, those of the folders git ignores that matter (.env, ...).
        self.walked = frozenset(self.paths).union(self.ignored_paths)
        self._names = [(p, p.name, p.name.lower()) for p in self.paths]  # see with_name
        self._by_name: dict[str, list[Path]] | None = None  # see named
        self.reads = 0  # files opened for reading, for the tests that bound the work
        self.bytes_read = 0

    @property
    def ignored_paths(self) -> list[Path]:
        """The files that matter (.env, Dockerfiles, compose files, scripts) in folders git ignores whole:
        not checked as the project's source, still looked at for what an image bakes in and for masking."""
        return self.ignored.kept if self.ignored else []

    @property
    def truncated_walk(self) -> bool:
        return self.stop is not None

    def rel(self, path: Path) -> str:
        return rel_to(self.root, path)

    def read(self, path: Path) -> FileText:
        """The decoded head of `path`, read once; a refused FileText for anything that is not a regular
        file inside the project (whether the walk met it or a compose file named it)."""
        with self._lock:
            cached = self._cache.get(path)
        if cached is None:
            got = open_regular(self._root_real, path, path in self._seen_regular)
            if isinstance(got, Refusal):
                cached = refused_text(path, self.rel(path), got)
            elif self.bytes_read >= self.max_total_bytes:
                os.close(got)
                cached = refused_text(path, self.rel(path), Refusal("budget"))
                with self._lock:
                    self.over_budget.append(path)
            else:
                self.reads += 1
                try:
                    raw, size = read_bounded(got, MAX_BYTES)
                    with self._lock:
                        self.bytes_read += min(len(raw), MAX_BYTES)
                    cached = decode(path, self.rel(path), raw[:MAX_BYTES], size, len(raw) > MAX_BYTES)
                except OSError as exc:
                    cached = refused_text(path, self.rel(path), Refusal("unreadable", exc.strerror or str(exc)))
            with self._lock:
                cached = self._cache.setdefault(path, cached)
        return cached

    def already_read(self) -> list[FileText]:
        """Every file read so far in this run, in path order (inline suppressions are looked for in the
        files the checks read, and nowhere else)."""
        with self._lock:
            return [self._cache[p] for p in sorted(self._cache)]

    def head(self, path: Path, n: int = 64) -> bytes:
        """The first `n` bytes of the file: from the cache when it was read already, else `n` bytes read
        without caching (enough to see a shebang without reading a whole file). b"" when not readable."""
        with self._lock:
            cached = self._cache.get(path)
        if cached is not None:
            return cached.raw[:n]
        got = open_regular(self._root_real, path, path in self._seen_regular)
        if isinstance(got, Refusal):
            return b""
        try:
            return read_bounded(got, n)[0][:n]
        except OSError:
            return b""

    def stream(self, path: Path, start: int, chunk: int) -> Iterator[bytes]:
        """The bytes of `path` from byte `start`, `chunk` at a time, through the same gate as read (nothing
        when it refuses the file): for a reader that never holds a large file whole (script_tail)."""
        got = open_regular(self._root_real, path, path in self._seen_regular)
        if isinstance(got, Refusal):
            return
        with os.fdopen(got, "rb", buffering=0) as handle:
            handle.seek(start)
            while block := handle.read(chunk):
                yield block

    def is_file(self, path: Path) -> bool:
        """A regular file inside the project (what Path.is_file() says, without following a link out)."""
        return classify(self._root_real, path)[0] == "file"

    def with_name(self, predicate: Callable[[str], bool]) -> list[Path]:
        """The walked files whose name satisfies `predicate` (is_dockerfile_name, ...), in walk order. The
        names are taken once: pathlib computes `.name` again on each call, and the checks scan the walk
        about thirty times (23,000 calls on the user's repository)."""
        return [p for p, name, _ in self._names if predicate(name)]

    def named(self, name: str) -> list[Path]:
        """The walked files called exactly `name`, in walk order. The index is made on the first call, so
        a lookup per finding (env-file's "a file of that name exists at") is not a scan of the walk each."""
        if self._by_name is None:
            by_name: dict[str, list[Path]] = {}
            for path, own, _ in self._names:
                by_name.setdefault(own, []).append(path)
            self._by_name = by_name  # built whole before it is shared: a racing thread builds the same
        return list(self._by_name.get(name, ()))

    def by_suffix(self, *suffixes: str) -> list[Path]:
        wanted = tuple(s.lower() for s in suffixes)
        return [p for p, _, lower in self._names if lower.endswith(wanted)]


def project_files(ctx: Context) -> ProjectFiles:
    """The ProjectFiles of ctx.project, built once per Context and shared by every check."""
    from .git_ignored import ASKING_KEY

    return ctx.memo("project files", lambda: ProjectFiles(Path(ctx.project), asking=ctx.memo_peek(ASKING_KEY)))
