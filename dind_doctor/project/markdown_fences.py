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
from ..records import dataclass

FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})[ \t]*(?P<lang>[^\s`]*)")
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\n|\r|$)")
_QUOTE = re.compile(r"^(?:[ ]{0,3}>[ ]?)+")
_LIST_ITEM = re.compile(r"^([ \t]*)(?:[-*+]|\d{1,9}[.)])([ \t]+)")
NESTED_LANGS = frozenset({"markdown", "md"})


@dataclass(frozen=True)
class CodeBlock:
    language: str
    first_line: int  # 1-based line of the block's first content line
    text: str
    offset: int = 0  # of the block's content in the Markdown text
    quoted: bool = False  # in a block quote: the `>` markers of `text` are spaces


def _lines(text: str) -> list[str]:
    lines = [m.group(0) for m in _LINE.finditer(text)]
    return lines[:-1] if lines and lines[-1] == "" else lines


def _unquoted(line: str) -> tuple[str, bool]:
    m = _QUOTE.match(line)
    return (" " * m.end() + line[m.end():], True) if m else (line, False)


def markdown_blocks(text: str, first_line: int = 1, base: int = 0, depth: int = 0) -> list[CodeBlock]:
    """Fenced code blocks (``` or ~~~) with their language and the line their content starts on."""
    blocks: list[CodeBlock] = []
    lines = _lines(text)
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line))
    list_indent = -1  # content indentation of the list item we are in (-1: none)
    i = 0
    while i < len(lines):
        raw = lines[i]
        line, quoted = _unquoted(raw)
        if item := _LIST_ITEM.match(raw):
            list_indent = item.end()
        elif raw.strip() and len(raw) - len(raw.lstrip()) == 0:
            list_indent = -1  # a paragraph (or a quote) at the margin ends the list
        m = FENCE.match(line)
        indent = len(m.group("indent").expandtabs(4)) if m else 0
        if not m or (indent > 3 and not 0 <= list_indent <= indent <= list_indent + 3) or \
                (m.group("fence")[0] == "`" and "`" in line[m.end():]):
            i += 1
            continue
        fence = m.group("fence")
        closing = re.compile(rf"^[ \t]*{re.escape(fence[0])}{{{len(fence)},}}[ \t]*\r?\n?$")
        body: list[str] = []
        j = i + 1
        while j < len(lines) and not closing.match(content := _unquoted(lines[j])[0] if quoted else lines[j]):
            body.append(content)  # inside a quote the `>` markers are blanked; elsewhere `>` is text
            j += 1
        language = m.group("lang").lower()
        block = CodeBlock(language, first_line + i + 1, "".join(body), base + offsets[i + 1], quoted)
        blocks.append(block)
        if language in NESTED_LANGS and depth < 3:
            blocks += markdown_blocks(block.text, block.first_line, block.offset, depth + 1)
        i = j + 1
    return blocks


POWERSHELL_LANGS = frozenset({"powershell", "ps1", "pwsh", "ps", "posh"})
BASH_LANGS = frozenset({"bash", "sh", "shell", "console", "zsh", "gitbash"})
CMD_LANGS = frozenset({"bat", "cmd", "batch", "dos", "batchfile"})
