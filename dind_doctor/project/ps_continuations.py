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


@dataclass(frozen=True)
class _LineTail:
    """What follows token k up to the next newline or continuation, precomputed for every k in one
    backward pass (scanning the rest of the line for each token was quadratic in a line's length)."""

    ends_line: list[bool]  # the stop is a newline or the end (not a continuation)
    only_blank: list[bool]  # every token in between is a space
    only_blank_or_comment: list[bool]
    last_end: list[int | None]  # end offset of the last token in between, None when there is none
    significant_after: list[bool]  # some token after k, to the end, is not space, newline or comment


def _line_tails(tokens: list[Token]) -> _LineTail:
    n = len(tokens)
    ends, blank, boc = [True] * n, [True] * n, [True] * n
    last: list[int | None] = [None] * n
    sig = [False] * n
    for k in range(n - 2, -1, -1):
        nxt = tokens[k + 1]
        sig[k] = sig[k + 1] or nxt.kind not in ("space", "newline", "comment")
        if nxt.kind in ("newline", "continuation"):
            ends[k] = nxt.kind == "newline"
            continue
        ends[k] = ends[k + 1]
        blank[k] = nxt.kind == "space" and blank[k + 1]
        boc[k] = nxt.kind in ("space", "comment") and boc[k + 1]
        last[k] = last[k + 1] if last[k + 1] is not None else nxt.end
    return _LineTail(ends, blank, boc, last, sig)


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
    tails = _line_tails(tokens)
    stack: list[str] = []  # open ( $( @( @{ { : what a newline is inside
    prev: Token | None = None  # the last token that is not blank or a comment
    statement_first: Token | None = None

    def add(kind: str, offset: int, line: int, col: int, span: tuple[int, int] | None = None, harmless: str = "",
            orphan: bool = True) -> None:
        found.append(Continuation(kind, line, col, offset, span,
                                  _command_text(src, cmd_start or line, line, col),
                                  _next_nonblank(src, line) if orphan else "", harmless))

    for k, tok in enumerate(tokens):
        if tok.kind == "open":
            stack.append(tok.text)
        elif tok.kind == "close" and stack:
            stack.pop()
        if tok.kind == "newline":
            if not stack or stack[-1] not in ("(", "@{"):
                cmd_start, statement_first = None, None
            continue
        if tok.kind in ("space", "comment", "continuation") and cmd_start is None:
            if tok.kind != "continuation":
                continue
        if cmd_start is None:
            cmd_start = src.position(tok.start)[0]
        if statement_first is None and tok.kind not in ("space", "comment", "continuation"):
            statement_first = tok
        if tok.kind in _MAY_REPORT or (tok.kind == "word" and tok.text in ("\\", "^")):  # else no position
            line, col = src.position(tok.start)
            only_blank = tails.ends_line[k] and tails.only_blank[k]
            only_blank_or_comment = tails.ends_line[k] and tails.only_blank_or_comment[k]
            if tok.kind == "escape" and tok.escaped in BLANK and only_blank_or_comment:
                end = tails.last_end[k]
                span = (tok.start + 1, end if end is not None else tok.end) if only_blank else None
                add("trailing-space" if only_blank else "trailing-comment", tok.start, line, col, span,
                    _harmless(prev, stack, statement_first))
            elif tok.kind == "escape" and tok.escaped == "`" and only_blank and \
                    CONTINUED_ARGUMENT.match(_next_nonblank(src, line)):
                add("doubled", tok.start, line, col)
            elif tok.kind == "continuation":
                if not tails.significant_after[k]:
                    add("dangling", tok.start, line, col, orphan=False)
                elif k + 1 < len(tokens) and (after := _after_blanks(tokens, k + 1)) is not None and \
                        (after.kind == "newline" or after.text.startswith("#")) and \
                        not _harmless(prev, stack, statement_first):
                    add("comment-line" if after.kind == "comment" else "blank-line", tok.start, line, col)
            elif tok.kind == "verbatim" and tok.text.rstrip(" \t").endswith("`") and tails.ends_line[k]:
                offset = tok.start + len(tok.text.rstrip(" \t")) - 1
                add("stop-parsing", offset, *src.position(offset))
            elif tok.kind == "word" and tok.text in ("\\", "^") and only_blank_or_comment \
                    and k > 0 and tokens[k - 1].kind == "space" and _continues(src.line_text(line), src.line_text(line + 1)):
                add("bash-backslash" if tok.text == "\\" else "cmd-caret", tok.start, line, col)
        if tok.kind not in ("space", "comment", "continuation"):
            prev = tok
            if tok.kind == "operator" and tok.text == ";":
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
