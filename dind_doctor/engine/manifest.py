"""File manifests (path -> size and SHA-256) and how two of them differ.

A manifest is built the same way wherever the files are: a local folder, or a tar stream the daemon sends
for a path of a container (a volume, an image). Dotfiles count like any file: the `cp -r /source/*` trap
leaves exactly those behind.
"""
from __future__ import annotations

import hashlib
import os
import tarfile
from ..records import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO, Iterable, Iterator, Mapping

# A volume or image path can hold a whole virtualenv; hashing stops there and says it stopped.
MAX_FILES = 5000
MAX_BYTES = 256 * 1024 * 1024
SKIPPED_DIRS = frozenset({"__pycache__", ".git", "node_modules", ".venv", ".mypy_cache", ".pytest_cache"})


@dataclass(frozen=True)
class Entry:
    size: int
    sha256: str  # for a symlink: the hash of its target text


@dataclass
class Manifest:
    entries: dict[str, Entry] = field(default_factory=dict)  # relative POSIX path -> Entry
    truncated: bool = False  # MAX_FILES or MAX_BYTES reached: the comparison covers only a part

    def __len__(self) -> int:
        return len(self.entries)


def is_dotfile(path: str) -> bool:
    return any(part.startswith(".") for part in PurePosixPath(path).parts)


def _skipped(rel: PurePosixPath) -> bool:
    return any(part in SKIPPED_DIRS for part in rel.parts) or rel.suffix == ".pyc"


def _sha256(stream: IO[bytes]) -> str:
    digest = hashlib.sha256()
    for chunk in iter(lambda: stream.read(1 << 16), b""):
        digest.update(chunk)
    return digest.hexdigest()


def file_entry(path: Path) -> Entry | None:
    """One local file's entry: a symlink by its target (not followed); None when unreadable (permissions,
    a socket): it cannot be compared either way."""
    if path.is_symlink():
        target = os.readlink(path).encode()
        return Entry(len(target), hashlib.sha256(target).hexdigest())
    from ..project.safe_open import Refusal, open_regular, real_root

    fd = open_regular(real_root(path.parent), path)  # a FIFO would block a plain open: not a file to hash
    if isinstance(fd, Refusal):
        return None
    try:
        with os.fdopen(fd, "rb") as fh:
            return Entry(os.fstat(fh.fileno()).st_size, _sha256(fh))
    except OSError:
        return None


def from_folder(folder: Path, limit: int = MAX_FILES) -> Manifest:
    """The manifest of a local folder, dotfiles included, symlinks not followed; at most `limit` files."""
    manifest = Manifest()
    total = 0
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if d not in SKIPPED_DIRS)
        for name in sorted(files):
            full = Path(root, name)
            rel = PurePosixPath(full.relative_to(folder).as_posix())
            if _skipped(rel):
                continue
            if len(manifest.entries) >= limit or total >= MAX_BYTES:
                manifest.truncated = True
                return manifest
            entry = file_entry(full)
            if entry is not None:
                manifest.entries[str(rel)] = entry
                total += entry.size
    return manifest


class _ChunkReader:
    """A file-like view over an iterator of byte chunks (what docker-py's get_archive yields)."""

    def __init__(self, chunks: Iterable[bytes]) -> None:
        self._chunks: Iterator[bytes] = iter(chunks)
        self._buffer = b""

    def read(self, size: int = -1) -> bytes:
        while size < 0 or len(self._buffer) < size:
            try:
                self._buffer += next(self._chunks)
            except StopIteration:
                break
        if size < 0:
            data, self._buffer = self._buffer, b""
        else:
            data, self._buffer = self._buffer[:size], self._buffer[size:]
        return data


def from_tar(chunks: Iterable[bytes]) -> Manifest:
    """The manifest of a tar stream whose single top folder is the path asked for (as `docker cp` sends
    it: `app/x.py` for a request of `/home/app`). Paths are made relative to that folder."""
    manifest = Manifest()
    total = 0
    with tarfile.open(fileobj=_ChunkReader(chunks), mode="r|") as tar:  # type: ignore[call-overload]
        for member in tar:
            parts = PurePosixPath(member.name).parts
            if len(parts) < 2:
                continue  # the top folder itself
            rel = PurePosixPath(*parts[1:])
            if _skipped(rel) or not (member.isfile() or member.issym()):
                continue
            if len(manifest.entries) >= MAX_FILES or total >= MAX_BYTES:
                manifest.truncated = True
                break
            if member.issym():
                target = member.linkname.encode()
                manifest.entries[str(rel)] = Entry(len(target), hashlib.sha256(target).hexdigest())
                continue
            stream = tar.extractfile(member)
            manifest.entries[str(rel)] = Entry(member.size, _sha256(stream) if stream else "")
            total += member.size
    return manifest


@dataclass(frozen=True)
class Diff:
    missing: tuple[str, ...]  # in the expected manifest, not in the actual one
    extra: tuple[str, ...]  # in the actual manifest only
    changed: tuple[str, ...]  # in both, with different content
    same: int

    @property
    def clean(self) -> bool:
        return not (self.missing or self.changed)

    @property
    def missing_dotfiles(self) -> tuple[str, ...]:
        return tuple(p for p in self.missing if is_dotfile(p))

    def summary(self, limit: int = 5) -> str:
        parts = []
        for label, paths in (("changed", self.changed), ("missing", self.missing), ("extra", self.extra)):
            if paths:
                shown = ", ".join(paths[:limit]) + (f" and {len(paths) - limit} more" if len(paths) > limit else "")
                parts.append(f"{len(paths)} {label} ({shown})")
        return "; ".join(parts) or f"{self.same} identical file(s)"


def compare(expected: Mapping[str, Entry] | Manifest, actual: Mapping[str, Entry] | Manifest) -> Diff:
    exp = expected.entries if isinstance(expected, Manifest) else expected
    act = actual.entries if isinstance(actual, Manifest) else actual
    missing = tuple(sorted(p for p in exp if p not in act))
    extra = tuple(sorted(p for p in act if p not in exp))
    changed = tuple(sorted(p for p in exp if p in act and exp[p] != act[p]))
    return Diff(missing, extra, changed, sum(1 for p in exp if p in act and exp[p] == act[p]))
