"""A project file's decoded text (FileText) and the one gate a read goes through: a regular file whose real
path is inside the project (safe_open), at most MAX_BYTES, decoded once. A UTF-8 BOM and UTF-16 (with or
without a BOM, as Windows PowerShell 5.1 `Out-File` and `>` write it) are recognised, anything else falls
back to a lenient decode with a note: a binary, empty, huge, unreadable or non-UTF-8 file is a fact to
report, never an exception. ProjectFiles (files.py) caches these reads for a run; read_project_file serves
the readers that have none (levels, run-reference).
"""
from __future__ import annotations

import codecs
import io
import os
from ..records import dataclass
from pathlib import Path

from .plain_env import plain_pairs
from .safe_open import Refusal, open_regular, printable, read_bounded, real_root

MAX_BYTES = 1024 * 1024  # a script or config file larger than this is not a script or config file


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
    refused: str | None = None  # not opened: a safe_open.REFUSALS kind (symlink-outside, fifo, missing, ...)

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

    @property
    def not_read_whole(self) -> str | None:
        """The sentence a finding shows when only the head of the file was read, else None."""
        if not self.truncated:
            return None
        return (f"{self.rel}: {self.size / 1048576:.1f} MiB, larger than the {MAX_BYTES // 1048576} MiB read: "
                "NOT read whole, only its first MiB was checked")


def refused_text(path: Path, rel: str, refusal: Refusal) -> FileText:
    return FileText(path=path, rel=rel, problem=refusal.message, encoding="none",
                    refused=None if refusal.kind == "unreadable" else refusal.kind)


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
    def made(**found: object) -> FileText:
        return FileText(path, rel, raw, size=size, truncated=truncated, **found)  # type: ignore[arg-type]

    utf16 = looks_utf16(raw)
    if utf16:
        bom = raw[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
        body = raw[2:] if bom else raw
        body = body[: len(body) // 2 * 2]
        return made(text=body.decode(utf16, errors="replace"), encoding=utf16, bom=bom)
    if b"\x00" in raw[:8192]:
        return made(problem="binary (holds NUL bytes)", encoding="binary")
    bom = raw.startswith(codecs.BOM_UTF8)
    body = raw[3:] if bom else raw
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        if truncated and exc.start >= len(body) - 4:  # the cut fell inside a multi-byte character
            text = body[: exc.start].decode("utf-8", errors="replace")
        else:
            line = body[: exc.start].count(b"\n") + 1
            return made(text=body.decode("utf-8", errors="replace"), encoding="latin-1", bom=bom,
                        problem=f"not UTF-8: byte 0x{body[exc.start]:02x} at line {line}", bad_byte_line=line)
    return made(text=text, encoding="utf-8-sig" if bom else "utf-8", bom=bom)


def read_file(path: Path, rel: str, limit: int = MAX_BYTES, root: Path | None = None) -> FileText:
    """The decoded head (at most `limit` bytes) of `path` when it is a regular file inside `root` (its own
    folder when not given), else a FileText that says why it was not read."""
    got = open_regular(real_root(root if root is not None else Path(path).parent), path)
    if isinstance(got, Refusal):
        return refused_text(path, rel, got)
    try:
        raw, size = read_bounded(got, limit)
    except OSError as exc:
        return refused_text(path, rel, Refusal("unreadable", exc.strerror or str(exc)))
    truncated = len(raw) > limit
    return decode(path, rel, raw[:limit], size, truncated)


def rel_to(root: Path, path: Path) -> str:
    """`path` relative to `root`, with forward slashes, printable (see safe_open.printable)."""
    # String work, not PurePath.relative_to: called once per file read (a tenth of a run's reads in pathlib).
    full, base = os.path.abspath(path), os.path.abspath(root)
    if os.path.normcase(full) == os.path.normcase(base):
        return "."
    prefix = base if base.endswith(os.sep) else base + os.sep
    if not os.path.normcase(full).startswith(os.path.normcase(prefix)):  # Windows: case-insensitive
        return printable(str(path))
    rel = full[len(prefix):]
    return printable(rel.replace(os.sep, "/") if os.sep != "/" else rel)


def read_project_file(root: Path, path: Path, limit: int = MAX_BYTES) -> FileText:
    """read_file for the readers that have no ProjectFiles (levels, run-reference): same gate, no cache."""
    return read_file(path, rel_to(root, path), limit, root)


def env_values(content: FileText) -> dict[str, str]:
    """The KEY=value pairs of a .env file read through this module (any encoding), as python-dotenv reads
    them; {} when the file has no usable text."""
    if not content.usable:
        return {}
    text = content.text.lstrip("\ufeff")
    pairs = plain_pairs(text)
    if pairs is not None:  # read alike by python-dotenv: no need to import it (and `logging`)
        return {key: value for key, value, _ in pairs}
    from dotenv import dotenv_values

    return {k: v or "" for k, v in dotenv_values(stream=io.StringIO(text)).items()}


VISIBLE = {" ": "·", "\t": "→", "\r": "␍", "\ufeff": "[BOM]", "\u00a0": "[NBSP]"}


def visible(text: str) -> str:
    """The text with its invisible characters shown: space ·, tab →, CR ␍, BOM, non-breaking space."""
    return "".join(VISIBLE.get(ch, ch) for ch in text)

