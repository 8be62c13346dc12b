"""parse_dockerfile: a Dockerfile's text read as BuildKit reads it, into a dockerfile_model.Dockerfile.

What BuildKit does and this follows: parser directives (`# syntax=`, `# escape=`, `# check=`) only at the
very top, before any comment, blank line or instruction; the escape character (`\\` or a backtick) ends a
line that continues, and the lines are joined as they are (no space added); comment and blank lines INSIDE
a continuation are dropped; leading `--name[=value]` words are flags; `[...]` that decodes as a JSON list
of strings is the exec (JSON) form; `RUN`/`COPY`/`ADD` take heredocs (`<<EOF`, `<<-EOF`, `<<"EOF"`) whose
bodies follow the instruction's line and are no instructions themselves (a `COPY . /x` line inside a
`RUN <<EOF` body copies nothing). Each instruction knows its stage and the WORKDIR in force.
"""
from __future__ import annotations

import re

from .dockerfile_model import HEREDOC_WORD, Dockerfile, Heredoc, Instruction, Stage, resolve

DIRECTIVE = re.compile(r"^#[ \t]*([a-zA-Z][a-zA-Z0-9]*)[ \t]*=[ \t]*(.+?)[ \t]*$")
KNOWN_DIRECTIVES = frozenset({"syntax", "escape", "check"})
HEREDOC_KEYWORDS = frozenset({"RUN", "COPY", "ADD"})


def _directives(lines: list[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for line in lines:
        m = DIRECTIVE.match(line.strip())
        if not m or m.group(1).lower() not in KNOWN_DIRECTIVES or m.group(1).lower() in found:
            break
        found[m.group(1).lower()] = m.group(2)
    return found


def _split_words(text: str, escape: str) -> list[str]:
    """Whitespace-separated words, quotes removed, `escape` escaping the next character (outside single
    quotes), as BuildKit's word splitter does for COPY/ADD/WORKDIR shell forms."""
    if escape not in text and "'" not in text and '"' not in text:  # most lines: split in C, not per character
        return [word for word in text.replace("\t", " ").split(" ") if word]
    words: list[str] = []
    current: list[str] = []
    has_word, quote, i = False, "", 0
    while i < len(text):
        ch = text[i]
        if quote:
            if ch == quote:
                quote = ""
            elif ch == escape and quote == '"' and i + 1 < len(text) and text[i + 1] in (escape, '"'):
                i += 1
                current.append(text[i])
            else:
                current.append(ch)
        elif ch in "'\"":
            quote, has_word = ch, True
        elif ch == escape and i + 1 < len(text):
            i += 1
            current.append(text[i])
            has_word = True
        elif ch in " \t":
            if has_word:
                words.append("".join(current))
            current, has_word = [], False
        else:
            current.append(ch)
            has_word = True
        i += 1
    if has_word:
        words.append("".join(current))
    return words


def _flags(rest: str) -> tuple[tuple[tuple[str, str | None], ...], str]:
    flags: list[tuple[str, str | None]] = []
    rest = rest.lstrip()
    while rest.startswith("--") and len(rest) > 2 and not rest[2].isspace():
        word, _, rest = rest.partition(" ")
        if "\t" in word:
            word, _, tail = word.partition("\t")
            rest = tail + " " + rest
        name, eq, value = word[2:].partition("=")
        flags.append((name.lower(), value if eq else None))
        rest = rest.lstrip()
    return tuple(flags), rest


def _json_args(rest: str) -> list[str] | None:
    if not rest.startswith("["):
        return None
    import json  # here: only an exec-form instruction needs it

    try:
        value = json.loads(rest)
    except ValueError:
        return None
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return value
    return None


def _logical_line(lines: list[str], i: int, continuation: re.Pattern) -> tuple[str, int]:
    """The instruction starting at line index i, joined; and the index of the line after it."""
    parts: list[str] = []
    current = lines[i].lstrip()
    i += 1
    while True:
        m = continuation.search(current)
        if not m:
            parts.append(current)
            return "".join(parts), i
        parts.append(current[:m.start()])
        while i < len(lines) and (not lines[i].strip() or lines[i].lstrip().startswith("#")):
            i += 1  # comment and blank lines inside a continuation are dropped
        if i >= len(lines):
            return "".join(parts), i
        current = lines[i]
        i += 1


def _heredocs(words: list[str], lines: list[str], i: int) -> tuple[tuple[Heredoc, ...], int]:
    """Bodies of the heredocs named in `words`, read from line index i; and the index after them."""
    found: list[Heredoc] = []
    for word in words:
        m = HEREDOC_WORD.match(word)
        if not m:
            continue
        strip_tabs, name = m.group(2) == "-", m.group(4)
        body: list[str] = []
        while i < len(lines):
            line = lines[i]
            i += 1
            if (line.lstrip("\t") if strip_tabs else line).rstrip("\r") == name:
                break
            body.append((line.lstrip("\t") if strip_tabs else line) + "\n")
        found.append(Heredoc(name, "".join(body), strip_tabs))
    return tuple(found), i


class _Stages:
    """FROM bookkeeping: the stage index, its WORKDIR, and which earlier stage a FROM builds on."""

    def __init__(self) -> None:
        self.stages: list[Stage] = []
        self.workdirs: list[str] = []
        self.by_name: dict[str, int] = {}  # kept as stages come: a lookup per FROM stays O(1)

    def start(self, args: list[str], line: int) -> None:
        base = args[0] if args else ""
        name = args[2] if len(args) >= 3 and args[1].lower() == "as" else None
        parent = self.by_name.get(base.lower())
        if parent is None and base.isdigit() and int(base) < len(self.stages):
            parent = int(base)
        self.stages.append(Stage(len(self.stages), base, name, line, parent))
        if name:
            self.by_name[name.lower()] = len(self.stages) - 1
        self.workdirs.append(self.workdirs[parent] if parent is not None else "/")

    @property
    def current(self) -> int:
        return len(self.stages) - 1

    def workdir(self, change: str | None = None) -> str:
        if self.current < 0:
            return "/"
        if change is not None:
            self.workdirs[-1] = resolve(self.workdirs[-1], change)
        return self.workdirs[-1]


def parse_dockerfile(text: str) -> Dockerfile:
    """The instruction list of a Dockerfile's text. Never raises: what does not parse is kept as words."""
    lines = text.lstrip("\ufeff").splitlines()
    directives = _directives(lines)
    escape = directives.get("escape", "\\")
    escape = escape if escape in ("\\", "`") else "\\"
    continuation = re.compile(re.escape(escape) + r"[ \t]*$")
    stages = _Stages()
    instructions: list[Instruction] = []
    i = 0
    while i < len(lines):
        stripped = lines[i].strip()
        if not stripped or stripped.startswith("#"):
            i += 1
            continue
        start = i
        logical, i = _logical_line(lines, i, continuation)
        keyword, _, rest = logical.strip().partition(" ")
        if "\t" in keyword:
            keyword, _, tail = keyword.partition("\t")
            rest = tail + " " + rest
        keyword = keyword.upper()
        flags, arguments = _flags(rest)
        arguments = arguments.strip()
        decoded = _json_args(arguments)
        words = decoded if decoded is not None else _split_words(arguments, escape)
        heredocs: tuple[Heredoc, ...] = ()
        if keyword in HEREDOC_KEYWORDS and decoded is None and "<<" in arguments:
            heredocs, i = _heredocs(arguments.split(), lines, i)
        if keyword == "FROM":
            stages.start(words, start + 1)
        workdir = stages.workdir(words[0] if keyword == "WORKDIR" and words else None)
        instructions.append(Instruction(start + 1, i, keyword, flags, tuple(words), arguments, decoded is not None,
                                        stages.current, workdir, logical.strip(), heredocs))
    return Dockerfile(instructions, stages.stages, directives, escape)
