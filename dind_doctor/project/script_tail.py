"""The rest of a PowerShell script larger than the read cap, streamed for its line continuations.

Every check reads the first MiB of a file (file_text.MAX_BYTES); a generated 50 MB script would otherwise be
"NOT read whole" with a broken backtick near its end unseen. The continuation problems are all anchored
at a line that ENDS with a backtick, `\\` or `^` (after blanks, or a comment after a backtick), so the rest
is read in chunks of 1 MiB, cut at line ends (memory stays at a few MiB whatever the size), and one
regex pass (C speed) finds those candidate lines. Here-strings and block comments span lines: a small
state machine over their markers (an `@"`/`@'` ending a line, `"@`/`'@` starting one, `<#` starting one,
`#>`) keeps candidates inside them out. Each candidate is then read by the real tokenizer and
continuation_problems, in a window of the CONTEXT lines before it (where its command starts; never
across a here-string or block comment) and 3 after it: the work grows with the file's size (the regex) and
the number of candidates (the windows), never with their product.

Past the first MiB only the continuation rules run (the leading-`|` rule and the other checks read the
first MiB); tail_stop says where streaming stopped when a file is larger than MAX_STREAM_BYTES.
"""
from __future__ import annotations

import codecs
import re
from ..records import dataclass
from typing import Iterator

from .files import ProjectFiles
from .file_text import FileText
from .scripts import ScriptSource

CHUNK = 1 << 20
CONTEXT = 100  # lines before a candidate read with it (the start of its command)
AFTER = 3  # lines after it (the orphan line, a blank line after a continuation)
MAX_STREAM_BYTES = 1 << 30  # one script: past 1 GiB the rest is said not read
_BLANK = r"(?:[^\S\n]|[\u200b-\u200d\u2060\ufeff])"  # pstokens.BLANK: Unicode blanks and zero-width ones
# Both start with a character class, which re scans for at C speed (an alternative anchored with `^` made it
# try every position: 20x slower); and each runs only when `in` (memchr) finds its characters at all. What a
# match cannot say (a blank before `\\`, a `<#` that starts its line) is checked after.
_CANDIDATE = re.compile(rf"[`\\\\^]{_BLANK}*(?:#[^\n]*)?$", re.MULTILINE)
_MARKER = re.compile(rf"@[\"']{_BLANK}*$|\n[\"']@|<#|#>", re.MULTILINE)


def _events(text: str) -> list[tuple[int, str]]:
    """(offset, kind) in text order: "cand" (a line ending like a continuation), "here" + its quote, "close" +
    its quote, "block", "unblock"."""
    out = []
    if "`" in text or "\\" in text or "^" in text:
        out = [(m.start(), "cand") for m in _CANDIDATE.finditer(text)
               if text[m.start()] == "`" or (m.start() > 0 and text[m.start() - 1].isspace())]
    if "@" in text or "<#" in text or "#>" in text:
        if text[:2] in ('"@', "'@"):  # a piece starts at a line start
            out.append((0, "close" + text[0]))
        for m in _MARKER.finditer(text):
            at, got = m.start(), m.group(0)
            if got[0] == "@":
                out.append((at, "here" + got[1]))
            elif got[0] == "\n":
                out.append((at + 1, "close" + got[1]))
            elif got == "#>":
                out.append((at, "unblock"))
            elif not text[text.rfind("\n", 0, at) + 1:at].strip():  # `<#` first on its line
                out.append((at, "block"))
        out.sort()
    return out


@dataclass
class Tail:
    """A streamed script's tail: where it starts, and what was read."""

    first_line: int  # the first line of the tail (the head's lines before it were checked whole)
    windows: int = 0  # windows tokenized: the work beyond the regex pass, for the tests that bound it
    candidates: int = 0
    streamed: int = 0  # bytes read past the head
    stopped_at: int | None = None  # byte offset where MAX_STREAM_BYTES ran out (None: read to the end)


def tail_start(content: FileText) -> tuple[int, int]:
    """(byte offset, line number) where the head's last whole line ends: the tail is read from there."""
    raw, enc = content.raw, content.encoding
    newline = {"utf-16-le": b"\n\x00", "utf-16-be": b"\x00\n"}.get(enc, b"\n")
    at = raw.rfind(newline)
    while at > 0 and len(newline) == 2 and at % 2:  # a UTF-16 newline sits on an even offset
        at = raw.rfind(newline, 0, at)
    cut = at + len(newline) if at >= 0 else 0
    skip = 3 if content.bom and enc == "utf-8-sig" else 2 if content.bom else 0
    head = raw[skip:cut].decode(_codec(enc), errors="replace") if cut > skip else ""
    return cut, head.count("\n") + 1


def _codec(encoding: str) -> str:
    return encoding if encoding.startswith("utf-16") else "utf-8"  # latin-1: the lenient UTF-8 read


def _texts(files: ProjectFiles, content: FileText, start: int, tail: Tail) -> Iterator[tuple[str, bool]]:
    """The tail's decoded text in pieces that end at a line end; (text, at the end of the file)."""
    decoder = codecs.getincrementaldecoder(_codec(content.encoding))(errors="replace")
    carry = ""
    for block in files.stream(content.path, start, CHUNK):
        tail.streamed += len(block)
        text = carry + decoder.decode(block)
        cut = text.rfind("\n") + 1
        carry = text[cut:]
        if cut:
            yield text[:cut], False
        if tail.streamed >= MAX_STREAM_BYTES:
            tail.stopped_at = start + tail.streamed
            return
    yield carry + decoder.decode(b"", final=True), True


def stream_tail(files: ProjectFiles, content: FileText) -> tuple[Tail, Iterator[tuple[ScriptSource, set[int], bool]]]:
    """The tail of a truncated script, and an iterator of (window, its candidate lines, reaches the end)."""
    start, first_line = tail_start(content)
    tail = Tail(first_line)
    # The head may end inside a here-string or a block comment: its markers set the state the tail starts in.
    state = _advance("", 1, content.text[:_nth_newline(content.text, first_line - 1)], 1, [])[0]
    return tail, _windows(files, content, start, tail, state)


def _nth_newline(text: str, n: int) -> int:
    """The offset just after the n-th newline of text (0 for n = 0)."""
    at = 0
    for _ in range(n):
        found = text.find("\n", at)
        if found < 0:
            return len(text)
        at = found + 1
    return at


def _advance(state: str, safe: int, text: str, line: int, found: list[tuple[int, int]]) -> tuple[str, int]:
    """Runs the here-string / block-comment state machine over text (starting at `line`); appends the
    candidates met outside them, with the first line a window may start on, to `found`."""
    pos, at = 0, line
    for offset, kind in _events(text):
        at += text.count("\n", pos, offset)
        pos = offset
        if state == "":
            if kind.startswith("here"):
                state = kind[-1]
            elif kind == "block":
                state = "#"
            elif kind == "cand":
                found.append((at, safe))
        elif kind == "close" + state or (kind == "unblock" and state == "#"):
            state, safe = "", at + 1
    return state, safe


def _windows(files: ProjectFiles, content: FileText, start: int, tail: Tail,
             state: str) -> Iterator[tuple[ScriptSource, set[int], bool]]:
    safe = tail.first_line  # the first line a window may start on (after the last here-string/comment)
    line = tail.first_line  # of the current piece's first character
    kept: list[str] = []  # the last lines before the piece (a window's context), at most CONTEXT + AFTER
    pending: list[tuple[int, int]] = []  # (candidate line, its safe start) waiting for their AFTER lines
    for text, at_end in _texts(files, content, start, tail):
        found: list[tuple[int, int]] = []
        state, safe = _advance(state, safe, text, line, found)
        tail.candidates += len(found)
        pending += found
        base = line - len(kept)
        line += text.count("\n")
        if not pending:
            kept = _last_lines(kept, text, CONTEXT + AFTER)
            continue
        lines = kept + text.splitlines(keepends=True)
        last = base + len(lines) - 1
        ends = {c: _end(lines, base, c[0], last, at_end) for c in pending}
        ready = [(c, end) for c, end in ends.items() if end is not None]
        pending = [c for c, end in ends.items() if end is None]
        for first, end, cands in _merged(ready, base):
            tail.windows += 1
            window = ScriptSource(content, "powershell", "".join(lines[first - base:end - base + 1]), first)
            yield window, cands, at_end and end >= last
        kept = lines[-(CONTEXT + AFTER):]


def _end(lines: list[str], base: int, cand: int, last: int, at_end: bool) -> int | None:
    """The last line of a candidate's window: AFTER lines on, and on to the next line that holds code (a
    continuation followed by blank or comment lines is told from one at the end of the file by it), at most
    CONTEXT lines on; None when the piece ends before that is known."""
    end = cand + AFTER
    while end <= last and end < cand + CONTEXT:
        if end > cand and _code(lines[end - base]):
            return end
        end += 1
    return min(end, last) if at_end or end < last else None


def _code(line: str) -> bool:
    stripped = line.strip()
    return bool(stripped) and not stripped.startswith("#")


def _merged(ready: list[tuple[tuple[int, int], int]], base: int) -> Iterator[tuple[int, int, set[int]]]:
    """Overlapping windows joined: each line is tokenized once per piece."""
    window: tuple[int, int, set[int]] | None = None
    for (cand, safe), end in sorted(ready):
        first = max(cand - CONTEXT, safe, base)
        if window is not None and first <= window[1] + 1:
            window = (window[0], max(window[1], end), window[2] | {cand})
            continue
        if window is not None:
            yield window
        window = (first, end, {cand})
    if window is not None:
        yield window


def _last_lines(kept: list[str], text: str, n: int) -> list[str]:
    """The last n lines of kept + text (text ends at a line end), without splitting all of text."""
    cut = len(text)
    for _ in range(n):
        found = text.rfind("\n", 0, cut - 1) if cut > 0 else -1
        if found < 0:
            cut = 0
            break
        cut = found + 1
    lines = text[cut:].splitlines(keepends=True)
    return (kept + lines)[-n:] if cut == 0 else lines[-n:]
