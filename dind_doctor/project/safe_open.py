"""Open a project file only when it is a regular file whose real path is inside the project.

The one gate every read of a user's file passes (ProjectFiles.read/head, read_project_file, the --fix
writers): a symlink that leads out of the project (a `.env` linking to /etc/shadow), a FIFO (1Password
Environments mounts `.env` files that way: opening it blocks), a socket or a device is never opened for
reading; the caller gets a Refusal that says what the file is instead. The check and the open are made
race-free where the OS allows it: the real path is opened with O_NOFOLLOW (a link swapped in after the
check is refused by the kernel) and O_NONBLOCK (a FIFO swapped in does not block the open), the open file
is checked again with fstat, and on Linux /proc/self/fd tells where the descriptor really points.
"""
from __future__ import annotations

import os
import stat
from ..records import dataclass
from pathlib import Path

OPEN_FLAGS = (os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
              | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0))

# kind -> the sentence a finding shows (never the link target: it may itself name something private)
REFUSALS = {
    "missing": "unreadable: no such file",
    "outside": "outside the project: not read",
    "symlink-outside": "a symlink that points outside the project: not read (dind-doctor never follows a "
                       "link out of the project)",
    "fifo": "a FIFO (named pipe), not a regular file: not read (tools such as 1Password Environments mount "
            ".env files this way; reading it would block)",
    "socket": "a socket, not a regular file: not read",
    "device": "a device, not a regular file: not read",
    "directory": "a folder, not a file",
    "other": "not a regular file: not read",
    "budget": "not read: this run's read budget (256 MiB over all files) was spent on other files",
}


@dataclass(frozen=True)
class Refusal:
    """Why a path was not opened: a REFUSALS kind, or "unreadable" with the OS's reason."""

    kind: str
    reason: str = ""

    @property
    def message(self) -> str:
        return f"unreadable: {self.reason}" if self.kind == "unreadable" else REFUSALS[self.kind]


def real_root(root: Path | str) -> str:
    return os.path.realpath(os.fspath(root))


def is_inside(root_real: str, real: str) -> bool:
    """`real` (a realpath) is `root_real` or below it."""
    return real == root_real or real.startswith(root_real.rstrip(os.sep) + os.sep)


def kind_of_mode(mode: int) -> str:
    if stat.S_ISREG(mode):
        return "file"
    if stat.S_ISDIR(mode):
        return "directory"
    if stat.S_ISFIFO(mode):
        return "fifo"
    if stat.S_ISSOCK(mode):
        return "socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "device"
    return "other"


def classify(root_real: str, path: Path | str) -> tuple[str, str | None]:
    """(kind, real path) of `path` without opening it: "file" for a regular file inside the project, else a
    REFUSALS kind (or "unreadable: reason" when lstat itself fails). Never blocks."""
    apath = os.path.abspath(os.fspath(path))
    try:
        link = os.lstat(apath)
    except FileNotFoundError:
        return "missing", None
    except OSError as exc:
        return f"unreadable: {exc.strerror or exc}", None
    real = os.path.realpath(apath)
    if not is_inside(root_real, real):
        through_link = stat.S_ISLNK(link.st_mode) or real != apath
        return ("symlink-outside" if through_link else "outside"), None
    try:
        target = os.stat(real)
    except FileNotFoundError:  # a dangling link
        return "missing", None
    except OSError as exc:
        return f"unreadable: {exc.strerror or exc}", None
    return kind_of_mode(target.st_mode), real


def _fd_path(fd: int) -> str | None:
    try:
        return os.readlink(f"/proc/self/fd/{fd}")
    except OSError:  # not Linux, or no /proc: the O_NOFOLLOW open is the guard
        return None


HAVE_PROC_FD = os.path.isdir("/proc/self/fd")


def open_regular(root_real: str, path: Path | str, seen_regular: bool = False) -> int | Refusal:
    """A read-only descriptor on `path` when it is a regular file inside the project, else a Refusal.

    `seen_regular`: the walk saw a regular file (not a link) there; where /proc/self/fd tells the real
    path of the opened descriptor, it is then opened directly (no realpath walk: the open, fstat and
    readlink make the same guarantees in three system calls), else through classify(). The caller closes
    the descriptor."""
    if seen_regular and HAVE_PROC_FD:
        fast = _open_direct(root_real, path)
        if fast is not None:
            return fast
    kind, real = classify(root_real, path)
    if kind.startswith("unreadable: "):
        return Refusal("unreadable", kind[len("unreadable: "):])
    if kind != "file" or real is None:
        return Refusal(kind)
    try:
        fd = os.open(real, OPEN_FLAGS)
    except OSError as exc:
        if getattr(exc, "errno", None) in (getattr(os, "ELOOP", -1),):  # became a link after the check
            return Refusal("symlink-outside")
        return Refusal("unreadable", exc.strerror or str(exc))
    try:
        opened = os.fstat(fd)
        now = kind_of_mode(opened.st_mode)
        if now != "file":
            raise _Refused(Refusal(now))
        where = _fd_path(fd)
        if where is not None and where.startswith(os.sep) and not is_inside(root_real, where):
            raise _Refused(Refusal("symlink-outside"))  # a parent folder was swapped for a link meanwhile
    except _Refused as refused:
        os.close(fd)
        return refused.refusal
    except OSError as exc:
        os.close(fd)
        return Refusal("unreadable", exc.strerror or str(exc))
    return fd


def _open_direct(root_real: str, path: Path | str) -> int | Refusal | None:
    """The descriptor, a Refusal, or None when the slow path must decide (a link, a changed file)."""
    try:
        fd = os.open(path, OPEN_FLAGS)
    except FileNotFoundError:
        return Refusal("missing")
    except OSError:
        return None  # a link (ELOOP), a socket (ENXIO), a permission problem: classify() says which
    try:
        ok = stat.S_ISREG(os.fstat(fd).st_mode) and is_inside(root_real, _fd_path(fd) or "")
    except OSError:
        ok = False
    if ok:
        return fd
    os.close(fd)
    return None


class _Refused(Exception):
    def __init__(self, refusal: Refusal) -> None:
        super().__init__(refusal.kind)
        self.refusal = refusal


def read_bounded(fd: int, limit: int) -> tuple[bytes, int]:
    """(at most limit + 1 bytes from fd, the file's size); closes fd. Plain os.read: a file object would
    add an fstat and an lseek per file, and the loop stops once the size fstat gave is read (no read
    that returns nothing), so a walked file costs its open, fstat, readlink, one read and its close."""
    try:
        size = os.fstat(fd).st_size
        chunks, got, left = [], 0, limit + 1
        while left > 0:
            chunk = os.read(fd, min(left, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            got += len(chunk)
            left -= len(chunk)
            if got >= size > 0:  # all it held when asked; a file that grows meanwhile is read as it was
                break
    finally:
        os.close(fd)
    raw = b"".join(chunks)
    return raw, max(size, len(raw))


def printable(text: str) -> str:
    """`text` safe to print and to put in JSON: the bytes of a file name that are not UTF-8 (surrogate
    escapes from os.fsdecode) and control characters (a newline in a name would forge an output line)
    are shown as \\xNN."""
    if text.isprintable():
        return text
    out = []
    for ch in text:
        code = ord(ch)
        if 0xDC80 <= code <= 0xDCFF:  # os.fsdecode's escape of the byte code - 0xDC00
            out.append(f"\\x{code - 0xDC00:02x}")
        elif 0xD800 <= code <= 0xDFFF or code < 0x20 or code == 0x7F:
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")
        else:
            out.append(ch)
    return "".join(out)
