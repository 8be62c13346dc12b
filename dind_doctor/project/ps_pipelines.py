"""PowerShell 7's leading-pipe continuation, and which PowerShell a script declares it runs on.

about_Pipelines (reference/7.4/Microsoft.PowerShell.Core/About/about_Pipelines.md), "Intrinsic line
continuation": "PowerShell 7 adds support for continuation of pipelines with the pipeline character at the
beginning of a line", and a `|` on a line by itself continues too. PowerShell's own parser tests
(test/powershell/Language/Parser/LineContinuance.Tests.ps1) pin the edges: comment lines may stand between the
pipeline and the leading `|`; a blank line, or one holding only whitespace, may not (EmptyPipeElement); nor
may a `|` with nothing after it, nor one after a line that already ends with `|`. Windows PowerShell 5.1 (and
6) has no such rule: a line that starts with `|` is an empty pipe element, a parse error, and a parse error
stops the WHOLE script before its first line runs. A backtick that ends the line before joins the newline, so
the `|` after it starts no line and parses everywhere; `||` is PowerShell 7's chain operator, not a pipe.

about_Requires: `#Requires -Version <N>[.<n>]` (a minimum) and `#Requires -PSEdition Core|Desktop` (Desktop:
Windows PowerShell), first on any line, all of them applied.
"""
from __future__ import annotations

import re
from ..records import dataclass

from .pstokens import Source, Token, tokenize

_NOT_CODE = frozenset({"space", "newline", "comment", "continuation"})
_REQUIRES = re.compile(r"#requires\b(?P<args>.*)", re.I)
_VERSION = re.compile(r"-version\s+(\d+)(?:\.(\d+))?", re.I)
_EDITION = re.compile(r"-PSEdition\s+(core|desktop)\b", re.I)


@dataclass(frozen=True)
class LeadingPipe:
    """A line whose first token is `|`."""

    # continues: PowerShell 7+ joins it to the pipeline above, 5.1 does not parse the script;
    # after-blank: a blank line stands between (EmptyPipeElement in every version);
    # empty: nothing before it to pipe from, or nothing after it to pipe into (EmptyPipeElement everywhere)
    kind: str
    line: int
    column: int
    offset: int
    previous: str  # the code of the line it continues, up to its last token ("" when none)
    previous_line: int  # 0 when none


@dataclass(frozen=True)
class Target:
    """The PowerShell a script declares with #Requires (about_Requires)."""

    minimum: tuple[int, int] | None  # the highest `-Version` (all must be met); None when not declared
    desktop: bool  # `-PSEdition Desktop`: Windows PowerShell only
    line: int  # of the #Requires that decides (0: none)
    text: str = ""  # that #Requires, as written

    @property
    def leading_pipe(self) -> bool | None:
        """Does every PowerShell the script declares read a leading `|`? None when it declares nothing."""
        if self.desktop:
            return False
        return None if self.minimum is None else self.minimum >= (7, 0)



def target(tokens: list[Token], src: Source) -> Target:
    """What the script's #Requires lines declare (the highest -Version; -PSEdition Desktop wins)."""
    minimum: tuple[int, int] | None = None
    desktop, line, text = False, 0, ""
    for tok in tokens:
        if tok.kind != "comment" or not (m := _REQUIRES.match(tok.text)):
            continue
        at = src.position(tok.start)[0]
        if not src.line_text(at).lstrip().lower().startswith("#requires"):
            continue  # first on its line only
        v = _VERSION.search(m.group("args"))
        version = (int(v.group(1)), int(v.group(2) or 0)) if v else None
        if version is not None and not desktop and (minimum is None or version > minimum):
            minimum, line, text = version, at, tok.text.strip()
        if (e := _EDITION.search(m.group("args"))) and e.group(1).lower() == "desktop":
            desktop, line, text = True, at, tok.text.strip()
    return Target(minimum, desktop, line, text)


def _next_code(tokens: list[Token], k: int) -> Token | None:
    while k < len(tokens) and tokens[k].kind in _NOT_CODE:
        k += 1
    return tokens[k] if k < len(tokens) else None


def leading_pipes(text: str, first_line: int = 1, tokens: list[Token] | None = None) -> list[LeadingPipe]:
    """Every line that starts with `|`, classified; one pass over the tokens (the look-ahead after a `|`
    crosses only blanks and comments, each once)."""
    src = Source(text, first_line)
    tokens = tokenize(text) if tokens is None else tokens
    found: list[LeadingPipe] = []
    last: Token | None = None  # the last token of code
    line_start = True  # no code yet on this line
    line_empty = True  # nothing but blanks on this line yet (a comment makes it a comment line)
    blank_since = False  # a blank line since `last`
    for k, tok in enumerate(tokens):
        if tok.kind == "newline":
            blank_since |= line_empty and last is not None
            line_start = line_empty = True
            continue
        if tok.kind == "space":
            continue
        if tok.kind in ("comment", "continuation"):
            line_empty = False
            line_start = line_start and tok.kind == "comment"  # a backtick joins the newline: no line starts
            continue
        pipe = tok.kind == "operator" and tok.text == "|"
        chain = pipe and k + 1 < len(tokens) and tokens[k + 1].kind == "operator" and tokens[k + 1].text == "|"
        if line_start and pipe and not chain:
            after = _next_code(tokens, k + 1)
            line, column = src.position(tok.start)
            if last is None or last.kind in ("operator", "open") or after is None or \
                    after.kind in ("operator", "close"):
                kind = "empty"
            else:
                kind = "after-blank" if blank_since else "continues"
            previous, previous_line = "", 0
            if last is not None:  # the code of that line up to its last token (a comment after it left out)
                previous_line, end_column = src.position(last.end - 1)
                previous = src.line_text(previous_line)[:end_column].strip()
            found.append(LeadingPipe(kind, line, column, tok.start, previous, previous_line))
        last, line_start, line_empty, blank_since = tok, False, False, False
    return found


def parses_nowhere(text: str, first_line: int = 1, tokens: list[Token] | None = None) -> bool:
    """A line starting with `|` that is an empty pipe element in every PowerShell (7 included)."""
    return any(p.kind != "continues" for p in leading_pipes(text, first_line, tokens))


def version_note(text: str, first_line: int = 1, tokens: list[Token] | None = None) -> str:
    """What a reader of this script should know of its lines that start with `|` ("" when nothing): which
    PowerShell parses it."""
    tokens = tokenize(text) if tokens is None else tokens
    pipes = leading_pipes(text, first_line, tokens)
    broken = next((p for p in pipes if p.kind != "continues"), None)
    if broken is not None:
        return f"no PowerShell parses it (line {broken.line} starts with `|`: an empty pipe element): no line of it runs"
    if not pipes or target(tokens, Source(text, first_line)).leading_pipe:
        return ""
    return (f"PowerShell 7 only (line {pipes[0].line} starts with `|`): Windows PowerShell 5.1 runs no line of it; "
            "read as PowerShell 7 reads it")
