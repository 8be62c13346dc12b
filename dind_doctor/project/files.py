"""Walk the user's project with bounds, and read each file once.

The walk skips what is never the user's own configuration (.git, node_modules, virtual environments
(any folder with a pyvenv.cfg), caches), stops after MAX_FILES files, and never reads more than MAX_BYTES of a file. Every file is read at
most once per Context (several checks share the cache). Decoding recognises a UTF-8 BOM and UTF-16 (with
or without a BOM, as Windows PowerShell 5.1 `Out-File` and `>` write it) and falls back to a lenient
decode with a note, so that a binary, empty, huge, unreadable or non-UTF-8 file is a fact to report, never
an exception.
"""
from __future__ import annotations

import codecs
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

MAX_FILES = 5000
MAX_BYTES = 1024 * 1024  # a script or config file larger than this is not a script or config file
MAX_DEPTH = 12
SKIP_DIRS = frozenset({
    ".git", ".hg", ".svn", "node_modules", ".venv", "venv", "__pycache__", ".tox", ".nox", ".mypy_cache",
    ".pytest_cache", ".ruff_cache", ".hypothesis", "site-packages", ".idea", ".vscode", ".terraform", ".eggs",
})


@dataclass(frozen=True)
class FileText:
    """What one file holds, decoded; `problem` says why there is no usable text."""

    path: Path
    rel: str  # relative to the project, with forward slashes
    raw: bytes = b""
    text: str = ""
    encoding: str = "utf-8"  # utf-8, utf-8-sig, utf-16-le, utf-16-be, or latin-1 (lenient fallback)
    bom: bool = False
    truncated: bool = False  # larger than MAX_BYTES: only the head was read
    size: int = 0
    problem: str | None = None  # "binary", "unreadable: ...", "not UTF-8 ..." (text still decoded leniently)
    bad_byte_line: int | None = None  # line of the first byte that is not UTF-8

    @property
    def usable(self) -> bool:
        return self.problem is None or self.problem.startswith("not UTF-8")

    @property
    def utf16(self) -> bool:
        return self.encoding.startswith("utf-16")

    @property
    def opened(self) -> bool:
        """The file exists and could be read (its text may still be unusable: binary)."""
        return self.encoding != "none"


def looks_utf16(raw: bytes) -> str | None:
    """utf-16-le / utf-16-be for text written as UTF-16 (with or without BOM), else None."""
    if raw.startswith(codecs.BOM_UTF16_LE):
        return "utf-16-le"
    if raw.startswith(codecs.BOM_UTF16_BE):
        return "utf-16-be"
    sample = raw[:512]
    if len(sample) >= 4:
        even_zero = sample[0::2].count(0)
        odd_zero = sample[1::2].count(0)
        half = len(sample) // 2
        if odd_zero > half * 0.6 and even_zero == 0:
            return "utf-16-le"
        if even_zero > half * 0.6 and odd_zero == 0:
            return "utf-16-be"
    return None


def decode(path: Path, rel: str, raw: bytes, size: int, truncated: bool) -> FileText:
    base = dict(path=path, rel=rel, raw=raw, size=size, truncated=truncated)
    utf16 = looks_utf16(raw)
    if utf16:
        bom = raw[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
        body = raw[2:] if bom else raw
        body = body[: len(body) // 2 * 2]
        return FileText(text=body.decode(utf16, errors="replace"), encoding=utf16, bom=bom, **base)
    if b"\x00" in raw[:8192]:
        return FileText(problem="binary (holds NUL bytes)", encoding="binary", **base)
    bom = raw.startswith(codecs.BOM_UTF8)
    body = raw[3:] if bom else raw
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        if truncated and exc.start >= len(body) - 4:  # the cut fell inside a multi-byte character
            text = body[: exc.start].decode("utf-8")
        else:
            line = body[: exc.start].count(b"\n") + 1
            return FileText(text=body.decode("utf-8", errors="replace"), encoding="latin-1", bom=bom,
                            problem=f"not UTF-8: byte 0x{body[exc.start]:02x} at line {line}",
                            bad_byte_line=line, **base)
    return FileText(text=text, encoding="utf-8-sig" if bom else "utf-8", bom=bom, **base)


def read_file(path: Path, rel: str, limit: int = MAX_BYTES) -> FileText:
    try:
        with open(path, "rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            raw = handle.read(limit + 1)
    except OSError as exc:
        return FileText(path=path, rel=rel, problem=f"unreadable: {exc.strerror or exc}", encoding="none")
    truncated = len(raw) > limit
    return decode(path, rel, raw[:limit], max(size, len(raw)), truncated)


@dataclass
class ProjectFiles:
    """The project's files (bounded walk) and a read-once cache of their content."""

    root: Path
    max_files: int = MAX_FILES
    paths: list[Path] = field(default_factory=list)
    truncated_walk: bool = False

    def __post_init__(self) -> None:
        self._cache: dict[Path, FileText] = {}
        self._lock = threading.Lock()
        self._walk()

    def _walk(self) -> None:
        stack = [(self.root, 0)]
        while stack:
            folder, depth = stack.pop()
            try:
                entries = sorted(os.scandir(folder), key=lambda e: e.name)
            except OSError:  # an unreadable folder is skipped, like the files it would hold
                continue
            subdirs = []
            for entry in entries:
                try:
                    if entry.is_dir(follow_symlinks=False):
                        if entry.name not in SKIP_DIRS and not entry.name.endswith(".egg-info") \
                                and depth < MAX_DEPTH and not os.path.exists(os.path.join(entry.path, "pyvenv.cfg")):
                            subdirs.append((Path(entry.path), depth + 1))
                    elif entry.is_file():
                        if len(self.paths) >= self.max_files:
                            self.truncated_walk = True
                            return
                        self.paths.append(Path(entry.path))
                except OSError:
                    continue
            stack.extend(reversed(subdirs))

    def rel(self, path: Path) -> str:
        try:
            return path.relative_to(self.root).as_posix() or "."
        except ValueError:
            return str(path)

    def read(self, path: Path) -> FileText:
        with self._lock:
            cached = self._cache.get(path)
        if cached is None:
            cached = read_file(path, self.rel(path))
            with self._lock:
                self._cache.setdefault(path, cached)
        return cached

    def head(self, path: Path, n: int = 64) -> bytes:
        """The first `n` bytes of the file: from the cache when it was read already, else `n` bytes read
        without caching (enough to see a shebang without reading a whole file). b"" when unreadable."""
        with self._lock:
            cached = self._cache.get(path)
        if cached is not None:
            return cached.raw[:n]
        try:
            with open(path, "rb") as handle:
                return handle.read(n)
        except OSError:
            return b""

    def matching(self, predicate) -> Iterator[Path]:
        return (p for p in self.paths if predicate(p))

    def by_suffix(self, *suffixes: str) -> list[Path]:
        wanted = tuple(s.lower() for s in suffixes)
        return [p for p in self.paths if p.name.lower().endswith(wanted)]


def project_files(ctx) -> ProjectFiles:
    """The ProjectFiles of ctx.project, built once per Context and shared by every check."""
    return ctx.memo("project files", lambda: ProjectFiles(Path(ctx.project)))


VISIBLE = {" ": "·", "\t": "→", "\r": "␍", "\ufeff": "[BOM]", "\u00a0": "[NBSP]"}


def visible(text: str) -> str:
    """The text with its invisible characters shown: space ·, tab →, CR ␍, BOM, non-breaking space."""
    return "".join(VISIBLE.get(ch, ch) for ch in text)


def visible_tail(line: str, start: int) -> str:
    """The line with only its characters from `start` made visible (the part a reader cannot see)."""
    return line[:start] + visible(line[start:])
