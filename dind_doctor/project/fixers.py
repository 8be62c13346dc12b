"""The safe local edits behind `check --fix`: each keeps a backup, and changes only what it names.

Backups go OUTSIDE the project (a .env backup inside it could be baked into an image by `COPY . .`):
$DIND_DOCTOR_BACKUP_DIR, else %LOCALAPPDATA%\\dind-doctor\\backups on Windows, else
$XDG_CACHE_HOME/dind-doctor/backups (~/.cache/...), one folder per run, mirroring the project's layout.
Files are replaced atomically (a temporary file in the same folder, then a rename) and keep their mode.
`append_fixes` writes the same append as a command for each shell, for the finding shown without --fix.
"""
from __future__ import annotations

import os
import re
import shlex
import shutil
import tempfile
import threading
from pathlib import Path

from ..model import Fix, fixes

_LOCK = threading.Lock()


class FixError(Exception):
    """The edit could not be applied; the file is unchanged."""


def backup_root(ctx) -> Path:
    env = ctx.env
    if env.get("DIND_DOCTOR_BACKUP_DIR"):
        base = Path(env["DIND_DOCTOR_BACKUP_DIR"])
    elif ctx.platform == "win32" and env.get("LOCALAPPDATA"):
        base = Path(env["LOCALAPPDATA"]) / "dind-doctor" / "backups"
    else:
        cache = env.get("XDG_CACHE_HOME") or os.path.join(env.get("HOME") or os.path.expanduser("~"), ".cache")
        base = Path(cache) / "dind-doctor" / "backups"
    return base / ctx.run_id


def _backup_path(ctx, path: Path) -> Path:
    try:
        rel = path.resolve().relative_to(Path(ctx.project).resolve())
    except ValueError:
        rel = Path(path.name)
    return backup_root(ctx) / rel


def write_with_backup(ctx, path: Path, new: bytes) -> str | None:
    """Replace `path` with `new`, after copying the original to the backup folder.

    Returns the backup's path (None when the file did not exist: nothing to back up). Raises FixError.
    """
    with _LOCK:
        backup = None
        try:
            if path.exists():
                backup = _backup_path(ctx, path)
                backup.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(path, backup)
            fd, tmp = tempfile.mkstemp(prefix=".dind-doctor-", dir=path.parent)
            try:
                with os.fdopen(fd, "wb") as handle:
                    handle.write(new)
                if path.exists():
                    shutil.copymode(path, tmp)
                os.replace(tmp, path)
            except BaseException:
                if os.path.exists(tmp):
                    os.unlink(tmp)
                raise
        except OSError as exc:
            raise FixError(f"cannot write {path}: {exc.strerror or exc}") from exc
        return str(backup) if backup else None


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
    return head + b"".join(line.encode("utf-8") + eol for line in lines)


def append_with_backup(ctx, path: Path, lines: list[str]) -> str | None:
    """Append `lines` to `path` (created when missing) in its own line-ending style, after a backup.

    Returns the backup's path (None for a new file). Raises FixError."""
    try:
        raw = path.read_bytes() if path.exists() else b""
    except OSError as exc:
        raise FixError(f"cannot read {path}: {exc.strerror or exc}") from exc
    return write_with_backup(ctx, path, append_lines(raw, lines))


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
