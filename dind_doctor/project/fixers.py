"""The safe local edits behind `check --fix`: each keeps a backup, and changes only what it names.

Backups never land under the project root (a .env backup inside it could be baked into an image by
`COPY . .`): the first of $DIND_DOCTOR_BACKUP_DIR, %LOCALAPPDATA%\\dind-doctor\\backups on Windows,
$XDG_CACHE_HOME/dind-doctor/backups (~/.cache/...), then the system temp folder, whose real path is
outside the project (HOME may be the project itself), one folder per run, mirroring the project's layout,
readable by the owner only. A fix never writes through or replaces a symlink, nor touches a file that is
not regular: the file is read through safe_open like every project read, and replaced atomically (a
temporary file in the same folder, then a rename) keeping its mode.
`append_fixes` writes the same append as a command for each shell, for the finding shown without --fix.
"""
from __future__ import annotations

import os
import re
import shlex
import stat
import tempfile
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import DindDoctorError
from ..model import Fix, fixes
from .safe_open import Refusal, is_inside, open_regular, printable, read_bounded, real_root

if TYPE_CHECKING:
    from ..context import Context

_LOCK = threading.Lock()
MAX_FIX_BYTES = 64 * 1024 * 1024  # an edit reads the whole file; past this it is not a text file to edit


class FixError(DindDoctorError):
    """The edit could not be applied; the file is unchanged."""


def backup_candidates(ctx: Context) -> list[Path]:
    env = ctx.env
    found = []
    if env.get("DIND_DOCTOR_BACKUP_DIR"):
        found.append(Path(env["DIND_DOCTOR_BACKUP_DIR"]))
    if ctx.platform == "win32" and env.get("LOCALAPPDATA"):
        found.append(Path(env["LOCALAPPDATA"]) / "dind-doctor" / "backups")
    cache = env.get("XDG_CACHE_HOME") or os.path.join(env.get("HOME") or os.path.expanduser("~"), ".cache")
    found.append(Path(cache) / "dind-doctor" / "backups")
    found.append(Path(tempfile.gettempdir()) / "dind-doctor-backups")
    if os.name != "nt":
        found.append(Path("/var/tmp/dind-doctor-backups"))
    return found


def backup_root(ctx: Context) -> Path:
    """The run's backup folder: the first candidate whose real path is outside the project."""
    project = real_root(ctx.project)
    for base in backup_candidates(ctx):
        if not is_inside(project, os.path.realpath(base)):
            return base / ctx.run_id
    raise FixError("no backup folder outside the project (set DIND_DOCTOR_BACKUP_DIR to one): nothing changed")


def _backup_path(ctx: Context, path: Path) -> Path:
    try:
        rel = Path(os.path.abspath(path)).relative_to(os.path.abspath(ctx.project))
    except ValueError:
        rel = Path(path.name)
    return backup_root(ctx) / rel


def _shown(ctx: Context, path: Path) -> str:
    try:
        return printable(Path(os.path.abspath(path)).relative_to(os.path.abspath(ctx.project)).as_posix())
    except ValueError:
        return printable(str(path))


def read_for_edit(ctx: Context, path: Path) -> bytes | None:
    """The whole content of `path` (None when it does not exist), refusing a symlink (even one inside the
    project: replacing it would turn the link into a copy), a FIFO, a device, and a file outside the project."""
    shown = _shown(ctx, path)
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        mode = None
    except OSError as exc:
        raise FixError(f"cannot read {shown}: {exc.strerror or exc}") from None
    if mode is not None and stat.S_ISLNK(mode):
        raise FixError(f"{shown} is a symlink: not changed (dind-doctor never writes through or replaces a "
                       "symlink; edit the file it points to yourself)")
    if not is_inside(real_root(ctx.project), os.path.realpath(path.parent)):
        raise FixError(f"{shown} is in a folder that links outside the project: not changed")
    if mode is None:
        return None
    got = open_regular(real_root(ctx.project), path)
    if isinstance(got, Refusal):
        raise FixError(f"{shown} not changed: {got.message}")
    try:
        raw, _ = read_bounded(got, MAX_FIX_BYTES)
    except OSError as exc:
        raise FixError(f"cannot read {shown}: {exc.strerror or exc}") from None
    if len(raw) > MAX_FIX_BYTES:
        raise FixError(f"{shown} is larger than {MAX_FIX_BYTES // 1048576} MiB: not changed")
    return raw


def _save_backup(ctx: Context, path: Path, raw: bytes) -> Path:
    backup = _backup_path(ctx, path)
    backup.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(backup, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0)
                 | getattr(os, "O_BINARY", 0), 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(raw)
    return backup


def write_with_backup(ctx: Context, path: Path, new: bytes) -> str | None:
    """Replace `path` with `new`, after copying the original to the backup folder (outside the project).

    Returns the backup's path (None when the file did not exist: nothing to back up). Raises FixError,
    also when the project's config excludes the file: an excluded file is never rewritten."""
    refusal = ctx.fix_refusal(os.path.relpath(path, ctx.project).replace(os.sep, "/")) if ctx.fix_refusal else None
    if refusal:
        raise FixError(f"{_shown(ctx, path)} not changed: {refusal}")
    with _LOCK:
        old = read_for_edit(ctx, path)
        try:
            backup = _save_backup(ctx, path, old) if old is not None else None
            mode = os.lstat(path).st_mode if old is not None else None
            fd, tmp = tempfile.mkstemp(prefix=".dind-doctor-", dir=path.parent)
            try:
                with os.fdopen(fd, "wb") as handle:
                    handle.write(new)
                if mode is not None:
                    os.chmod(tmp, stat.S_IMODE(mode))
                if os.path.islink(path):  # swapped for a link since it was read: leave it alone
                    raise FixError(f"{_shown(ctx, path)} became a symlink: not changed")
                os.replace(tmp, path)
            except BaseException:
                if os.path.exists(tmp):
                    os.unlink(tmp)
                raise
        except OSError as exc:
            raise FixError(f"cannot write {_shown(ctx, path)}: {exc.strerror or exc}") from exc
        return printable(str(backup)) if backup else None


def to_lf(raw: bytes) -> bytes:
    """CRLF and lone CR become LF; every other byte stays as it is."""
    return re.sub(rb"\r\n?", b"\n", raw)


def to_utf8(text: str) -> bytes:
    """Decoded text (UTF-16 or UTF-8 with BOM) re-encoded as UTF-8 without a BOM."""
    return text.lstrip("\ufeff").encode("utf-8")


def delete_spans(text: str, spans: list[tuple[int, int]]) -> str:
    for start, end in sorted(spans, reverse=True):
        text = text[:start] + text[end:]
    return text


def eol_of(raw: bytes) -> bytes:
    return b"\r\n" if raw.count(b"\r\n") > raw.count(b"\n") / 2 else b"\n"


def append_lines(raw: bytes, lines: list[str]) -> bytes:
    """`raw` with `lines` added at the end, in the file's own line ending style."""
    eol = eol_of(raw) if raw else b"\n"
    head = raw if not raw or raw.endswith((b"\n", b"\r")) else raw + eol
    # surrogateescape: a pattern naming a file whose name is not UTF-8 keeps that name's own bytes
    return head + b"".join(line.encode("utf-8", "surrogateescape") + eol for line in lines)


def append_with_backup(ctx: Context, path: Path, lines: list[str]) -> str | None:
    """Append `lines` to `path` (created when missing) in its own line-ending style, after a backup.

    Returns the backup's path (None for a new file). Raises FixError."""
    return write_with_backup(ctx, path, append_lines(read_for_edit(ctx, path) or b"", lines))


def _ps_quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _cmd_echo(text: str) -> str:
    return re.sub(r"([\^&|<>])", r"^\1", text)


def append_fixes(shown_path: str, lines: list[str], then: str = "") -> tuple[Fix, ...]:
    """The command, in each shell, that appends `lines` to the file `shown_path` (created when missing),
    followed by the command `then` when given. Quoted for each shell: bash with shlex.quote, PowerShell
    with '' in single quotes (ASCII, never the UTF-16 of Windows PowerShell's `>>`), cmd with ^ before
    its special characters."""
    bash = f"printf '%s\\n' {' '.join(shlex.quote(x) for x in lines)} >> {shlex.quote(shown_path)}"
    powershell = f"Add-Content -Encoding ascii {_ps_quote(shown_path)} {','.join(_ps_quote(x) for x in lines)}"
    cmd = " & ".join(f'echo {_cmd_echo(x)}>> "{shown_path}"' for x in lines)
    if then:
        bash, powershell, cmd = f"{bash} && {then}", f"{powershell}; {then}", f"{cmd} & {then}"
    return fixes(bash=bash, powershell=powershell, cmd=cmd)
