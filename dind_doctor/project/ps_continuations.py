"""Where a PowerShell command really ends, from the tokens of pstokens (the one tokenizer): lines that look
continued but are not, or continue into nothing.

about_Parsing, "Line continuation": a backtick continues a command only as the LAST character of a line, and
the continuation spans ONE newline (a blank line or a comment line after it ends the command); a doubled
backtick is a literal backtick. about_Special_Characters: a backtick before any other character (a space,
U+3000, a zero-width space) escapes that character. After `|`, `,`, an assignment or a binary operator, and
inside `(...)` or `@{...}`, PowerShell reads on to the next line anyway: a backtick with a space there is
a style problem, not a broken command. about_Parsing, "The stop-parsing token": after `--%` a backtick is
passed as is and cannot continue the line.
"""
from __future__ import annotations

import re
from typing import NamedTuple

from ..records import dataclass

from .pstokens import BLANK, Source, Token, tokenize

# -- Continuation problems --------------------------------------------------------------------------
@dataclass(frozen=True)
class Continuation:
    """A line that looks continued but is not (or continues into nothing)."""

    # trailing-space, trailing-comment, dangling, doubled, blank-line, comment-line, stop-parsing,
    # bash-backslash, cmd-caret
    kind: str
    line: int
    column: int
    offset: int  # of the backtick, backslash or caret, in the tokenised text
    fix_span: tuple[int, int] | None  # the characters a safe fix deletes (trailing whitespace), if any
    command: str  # what PowerShell runs as this command
    orphan: str  # the next line, which runs on its own ("" when none)
    harmless: str = ""  # why PowerShell reads on anyway (after `|`, inside `(...)`): a style problem only


class _Rest(NamedTuple):
    """What follows a token up to the end of its line (a continuation there is not its end)."""

    only_blank: bool
    only_blank_or_comment: bool
    last_end: int | None  # the end of the last token in between, when only blanks are (None when none are)


_QUIET = ("space", "newline", "comment")  # tokens that are no part of a command
_LINE_STOP = ("newline", "continuation")


class _LineAhead:
    """What follows token k up to the next newline or continuation, looked at only for the tokens a problem
    may be reported at (building it for every token was a third of this module's time on a long line). Still
    linear in all (a forward scan per token was quadratic): the tokens a look skips are blanks and comments,
    which are never reported at, so no token is skipped twice; the next line stop is a pointer that only moves
    forward; the last significant token is found once, from the end. `visits` counts the tokens looked at:
    each at most once per kind of look."""

    def __init__(self, tokens: list[Token]) -> None:
        self.tokens = tokens
        self.visits = 0
        self._stop = 0  # the first newline or continuation after the last k asked about (len(tokens): none)
        last = len(tokens) - 1
        while last >= 0 and tokens[last].kind in _QUIET:
            last -= 1
            self.visits += 1
        self._last_significant = last

    def rest(self, k: int) -> _Rest:
        """What follows token k up to the end of its line."""
        j, comment = k + 1, False
        while j < len(self.tokens) and self.tokens[j].kind in ("space", "comment"):
            comment = comment or self.tokens[j].kind == "comment"
            j += 1
        self.visits += j - k
        ends = self._ends_at(j)
        return _Rest(ends and not comment, ends, self.tokens[j - 1].end if j - 1 > k else None)

    def _ends_at(self, j: int) -> bool:
        return j == len(self.tokens) or self.tokens[j].kind == "newline"

    def ends_line(self, k: int) -> bool:
        """The next stop after k is a newline or the end, not a continuation."""
        self._stop = max(self._stop, k + 1)
        while self._stop < len(self.tokens) and self.tokens[self._stop].kind not in _LINE_STOP:
            self._stop += 1
            self.visits += 1
        return self._ends_at(self._stop)

    def significant_after(self, k: int) -> bool:
        """Some token after k, to the end, is part of a command."""
        return k < self._last_significant


def _command_text(src: Source, first: int, last: int, stop_col: int) -> str:
    parts = []
    for line in range(first, last + 1):
        text = src.line_text(line)
        if line == last:
            text = text[:stop_col - 1]
        parts.append(text.rstrip().removesuffix("`").strip())
    return " ".join(p for p in parts if p)


def _next_nonblank(src: Source, line: int) -> str:
    for candidate in range(line + 1, src.last_line + 1):
        text = src.line_text(candidate).strip()
        if text:
            return text
    return ""


# Operators after which PowerShell reads on to the next line in expression mode (about_Operators).
BINARY = re.compile(r"^(?:[-+*/%]?=|[+*/%]|-|\?\?|-[ci]?(?:eq|ne|gt|ge|lt|le|like|notlike|match|notmatch|replace|"
                    r"contains|notcontains|in|notin|split)|-(?:and|or|xor|not|band|bor|bxor|shl|shr|join|f|is|isnot|as))$",
                    re.I)
# A next line that starts like the rest of a command: an option, or a value ending in a continuation.
CONTINUED_ARGUMENT = re.compile(r"^\s*(?:--?[A-Za-z]|\S+\s*(?:\\|\^|`)$)")


# The token kinds (with the words `\\` and `^`) a problem is reported at: only they need a position (a binary
# search per token was a third of this function on a long line).
_MAY_REPORT = frozenset({"escape", "continuation", "verbatim"})
_REPORTED_WORDS = ("\\", "^")


def _harmless(prev: Token | None, stack: list[str], statement_first: Token | None) -> str:
    """Why PowerShell reads on past the newline anyway ("" when it does not)."""
    if stack and stack[-1] in ("(", "@{"):
        return f"inside `{stack[-1]}...`"
    if prev is not None and prev.kind == "operator" and prev.text in "|,":
        return f"after `{prev.text}`"
    expression = statement_first is not None and (statement_first.kind in ("variable", "string", "open") or
                                                  statement_first.text[:1].isdigit())
    if expression and prev is not None and prev.kind == "word" and BINARY.match(prev.text):
        return f"after the operator `{prev.text}`"
    return ""


def continuation_problems(text: str, first_line: int = 1, tokens: list[Token] | None = None) -> list[Continuation]:
    """`tokens`: tokenize(text), when the caller has them already."""
    src = Source(text, first_line)
    tokens = tokenize(text) if tokens is None else tokens
    found: list[Continuation] = []
    cmd_start: int | None = None
    ahead = _LineAhead(tokens)
    stack: list[str] = []  # open ( $( @( @{ { : what a newline is inside
    prev: Token | None = None  # the last token that is not blank or a comment
    statement_first: Token | None = None

    def add(kind: str, offset: int, line: int, col: int, span: tuple[int, int] | None = None, harmless: str = "",
            orphan: bool = True) -> None:
        found.append(Continuation(kind, line, col, offset, span,
                                  _command_text(src, cmd_start or line, line, col),
                                  _next_nonblank(src, line) if orphan else "", harmless))

    for k, tok in enumerate(tokens):
        kind = tok.kind
        if kind == "space" or kind == "comment":  # never reported at, never a statement's first token
            continue
        if kind == "word" and statement_first is not None and tok.text not in _REPORTED_WORDS:
            prev = tok  # most tokens of a long command: nothing else to do
            continue
        if kind == "open":
            stack.append(tok.text)
        elif kind == "close" and stack:
            stack.pop()
        elif kind == "newline":
            if not stack or stack[-1] not in ("(", "@{"):
                cmd_start, statement_first = None, None
            continue
        if cmd_start is None:
            cmd_start = src.position(tok.start)[0]
        if statement_first is None and kind != "continuation":
            statement_first = tok
        if kind in _MAY_REPORT or (kind == "word" and tok.text in _REPORTED_WORDS):  # else no position
            line, col = src.position(tok.start)
            if kind == "escape" and tok.escaped in BLANK:
                rest = ahead.rest(k)
                if rest.only_blank_or_comment:
                    end = rest.last_end
                    span = (tok.start + 1, end if end is not None else tok.end) if rest.only_blank else None
                    add("trailing-space" if rest.only_blank else "trailing-comment", tok.start, line, col, span,
                        _harmless(prev, stack, statement_first))
            elif kind == "escape" and tok.escaped == "`" and ahead.rest(k).only_blank and \
                    CONTINUED_ARGUMENT.match(_next_nonblank(src, line)):
                add("doubled", tok.start, line, col)
            elif kind == "continuation":
                if not ahead.significant_after(k):
                    add("dangling", tok.start, line, col, orphan=False)
                elif k + 1 < len(tokens) and (after := _after_blanks(tokens, k + 1)) is not None and \
                        (after.kind == "newline" or after.text.startswith("#")) and \
                        not _harmless(prev, stack, statement_first):
                    add("comment-line" if after.kind == "comment" else "blank-line", tok.start, line, col)
            elif kind == "verbatim" and tok.text.rstrip(" \t").endswith("`") and ahead.ends_line(k):
                offset = tok.start + len(tok.text.rstrip(" \t")) - 1
                add("stop-parsing", offset, *src.position(offset))
            elif kind == "word" and ahead.rest(k).only_blank_or_comment \
                    and k > 0 and tokens[k - 1].kind == "space" and _continues(src.line_text(line), src.line_text(line + 1)):
                add("bash-backslash" if tok.text == "\\" else "cmd-caret", tok.start, line, col)
        if kind != "continuation":
            prev = tok
            if kind == "operator" and tok.text == ";":
                statement_first = None
    return found


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def _continues(line: str, next_line: str) -> bool:
    """The next line reads as more arguments of this one (an option, or a deeper-indented value); `\\` at the
    end of `Should -Be \\` followed by `}` or a new statement is an argument, not a continuation."""
    stripped = next_line.strip()
    deeper = _indent(next_line) > _indent(line) or (_indent(next_line) == _indent(line) and
                                                    line.lstrip().startswith("-"))  # a line of arguments itself
    return bool(stripped) and (stripped.startswith("-") or (deeper and stripped[0] not in "})#"))


def _after_blanks(tokens: list[Token], k: int) -> Token | None:
    """The first token from k that is not a space (a blank run is one token: this is O(1))."""
    if k < len(tokens) and tokens[k].kind == "space":
        k += 1
    return tokens[k] if k < len(tokens) else None
