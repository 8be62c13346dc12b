"""Fenced code blocks of a Markdown file, as CommonMark reads them, with the line each starts on.

- A fence is 3+ backticks or tildes; the block closes at a fence of the same character, at least as long,
  with nothing after it (so a ```` ```` ```` block may hold ``` ``` ``` examples). A `markdown`/`md` block's
  own fences are read as blocks too (an example a reader copies from).
- Inside a list item a fence may be indented by the item's content indentation plus up to 3 spaces (4 and
  more); elsewhere 4 spaces make an indented code block, not a fence.
- In a block quote (`> ```powershell`) the `>` markers are replaced by spaces of the same width, so offsets
  and columns in the block are the file's.
- Lines end at LF, CRLF or CR only: a form feed, NEL or U+2028 inside a block shifts no line number.
"""
from __future__ import annotations

import re
from itertools import accumulate, islice
from ..records import dataclass
from .line_search import lines_holding

FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})[ \t]*(?P<lang>[^\s`]*)")
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\n|\r|$)")
_OTHER_BREAKS = "\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
_QUOTE = re.compile(r"^(?:[ ]{0,3}>[ ]?)+")
_LIST_ITEM = re.compile(r"^([ \t]*)(?:[-*+]|\d{1,9}[.)])([ \t]+)")
NESTED_LANGS = frozenset({"markdown", "md"})
_FENCE_MARKS = ("```", "~~~")


@dataclass(frozen=True)
class CodeBlock:
    language: str
    first_line: int  # 1-based line of the block's first content line
    text: str
    offset: int = 0  # of the block's content in the Markdown text
    quoted: bool = False  # in a block quote: the `>` markers of `text` are spaces


def _lines(text: str) -> list[str]:
    # str.splitlines also breaks at these: only then is the regex needed. One `in` scan (memchr) per break
    # character, eight in all, costs far less than a regex character class searched over the whole text.
    if not any(brk in text for brk in _OTHER_BREAKS):
        return text.splitlines(keepends=True)
    lines = [m.group(0) for m in _LINE.finditer(text)]
    return lines[:-1] if lines and lines[-1] == "" else lines


def _unquoted(line: str) -> tuple[str, bool]:
    m = _QUOTE.match(line)
    return (" " * m.end() + line[m.end():], True) if m else (line, False)


def markdown_blocks(text: str, first_line: int = 1, base: int = 0, depth: int = 0) -> list[CodeBlock]:
    """Fenced code blocks (``` or ~~~) with their language and the line their content starts on."""
    blocks: list[CodeBlock] = []
    lines = _lines(text)
    offsets = list(accumulate(map(len, lines), initial=0))
    candidates = lines_holding(text, _FENCE_MARKS, offsets)  # only they may open or close a block
    list_indent = -1  # content indentation of the list item the last opening fence was in (-1: none)
    scanned = 0  # lines before it are accounted for in list_indent (a code block's lines never change it)
    for at, i in enumerate(candidates):
        if i < scanned:
            continue  # inside a block already read
        raw = lines[i]
        line, quoted = _unquoted(raw)
        list_indent = _list_indent(lines, i, scanned, list_indent)
        scanned = i
        m = FENCE.match(line)
        indent = len(m.group("indent").expandtabs(4)) if m else 0
        if not m or (indent > 3 and not 0 <= list_indent <= indent <= list_indent + 3) or \
                (m.group("fence")[0] == "`" and "`" in line[m.end():]):
            continue
        fence = m.group("fence")
        closing = re.compile(rf"^[ \t]*{re.escape(fence[0])}{{{len(fence)},}}[ \t]*\r?\n?$")
        # The closing fence holds ``` or ~~~ too: it is among the candidates (no regex on each line of the body).
        j = next((k for k in islice(candidates, at + 1, None) if closing.match(_unquoted(lines[k])[0] if quoted else lines[k])),
                 len(lines))
        # inside a quote the `>` markers are blanked; elsewhere `>` is text
        body = [_unquoted(line)[0] for line in lines[i + 1:j]] if quoted else lines[i + 1:j]
        language = m.group("lang").lower()
        block = CodeBlock(language, first_line + i + 1, "".join(body), base + offsets[i + 1], quoted)
        blocks.append(block)
        if language in NESTED_LANGS and depth < 3:
            blocks += markdown_blocks(block.text, block.first_line, block.offset, depth + 1)
        scanned = j + 1
    return blocks


def _list_indent(lines: list[str], i: int, stop: int, carry: int) -> int:
    """The content indentation of the list item line i is in, read backwards from it down to `stop` (the
    end of the last block): the nearest list item sets it, a paragraph (or a quote) at the margin ends the
    list; `carry` when neither is met."""
    for k in range(i, stop - 1, -1):
        raw = lines[k]
        if item := _LIST_ITEM.match(raw):
            return item.end()
        if raw.strip() and len(raw) - len(raw.lstrip()) == 0:
            return -1
    return carry


POWERSHELL_LANGS = frozenset({"powershell", "ps1", "pwsh", "ps", "posh"})
BASH_LANGS = frozenset({"bash", "sh", "shell", "console", "zsh", "gitbash"})
CMD_LANGS = frozenset({"bat", "cmd", "batch", "dos", "batchfile"})
