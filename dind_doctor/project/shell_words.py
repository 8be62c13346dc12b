"""A script's text as the commands its shell runs, each a list of words (arguments), per dialect.

PowerShell goes ALWAYS through the tokenizer (pstokens): a backtick followed by a space escapes the space,
the command ends at that line, and the lines after it never reach the command; `$(...)` followed by more
text is two arguments. bash and cmd go through bash_cmd_splitter; Word and Command are defined in command_words.
No shell expands anything here: variables stay as written.
"""
from __future__ import annotations

import re
from typing import TypeAlias

from .bash_cmd_splitter import Splitter
from .command_words import Command, Word
from .ps_arguments import DOUBLED_SINGLE_QUOTE, elements, one_string, splits
from .pstokens import DOUBLE_QUOTES, SINGLE_QUOTES, Source, Token, tokenize


def commands(text: str, dialect: str, first_line: int = 1, tokens: list[Token] | None = None,
             mentioning: str | None = None) -> list[Command]:
    """The commands of `text` (a script, or a Markdown code block starting at `first_line`). `mentioning`
    (lower case): only the commands whose text holds it once quotes and escapes are taken out: the words
    of the others are never built (a generated script of 15,000 `Write-Host` lines and one docker command
    spent nearly all its time building words no reader looked at)."""
    if mentioning is not None and not mentions(text, mentioning):
        return []
    if dialect == "powershell":
        return _powershell(text, first_line, tokenize(text) if tokens is None else tokens, mentioning)
    return Splitter(text, dialect, Source(text, first_line)).run()


# What a word's value never keeps of its text: quotes, and the escape characters of the three shells.
_UNQUOTED = str.maketrans("", "", SINGLE_QUOTES + DOUBLE_QUOTES + "`^\\")


def mentions(text: str, needle: str) -> bool:
    """`needle` may be the value of a word of `text`: `d"ocker"` and `` d`ocker `` are `docker` too."""
    lower = text.lower()
    return needle in lower or needle in lower.translate(_UNQUOTED)


# -- PowerShell ----------------------------------------------------------------------------------------
def _ps_value(tok: Token) -> str:
    if tok.kind == "string" and len(tok.text) >= 2:
        inner = tok.text[1:-1] if not tok.unterminated else tok.text[1:]
        if tok.text[0] in SINGLE_QUOTES:
            return DOUBLED_SINGLE_QUOTE.sub(r"\1", inner)
        return re.sub(r"`(.)", r"\1", inner)
    if tok.kind == "herestring":
        return tok.text[2:-2].strip("\r\n")
    if tok.kind == "escape":
        return tok.escaped
    return tok.text


def _ps_word(arg: list[Token], line: int, col: int) -> Word:
    """The word of an argument made of several tokens, or of one that is not a plain word."""
    bad = any(t.bad_drive for t in arg) or any(
        t.kind == "string" and t.text.startswith('"') and re.search(r"\$pwd:(?![\w:])", t.text, re.I) for t in arg)
    parts = elements(arg)
    first = splits(parts)
    return Word("".join(t.text for t in arg), "".join(_ps_value(t) for t in arg), line, col,
                "".join(t.text for t in arg if t.kind not in ("string", "herestring")),
                all(t.kind in ("string", "herestring") for t in arg),
                "".join(p.text for p in parts[:first]), bool(bad), one_string(arg))


# One argument of a command: the token of a plain word (most arguments: nothing to split or expand) or of the
# text after `--%`, or the tokens of any other argument.
_Argument: TypeAlias = "Token | list[Token]"


def _ps_words(src: Source, args: list[_Argument]) -> tuple[Word, ...]:
    """One command's words. (Arguments are told apart by `type(...) is`, not isinstance(): one that fails
    looks `__class__` up, a tenth of this function.)"""
    positions = src.positions([a.start if type(a) is Token else a[0].start for a in args])
    words: list[Word] = []
    for arg in args:
        line, col = next(positions)  # unpacked: a call with `*` arguments costs a tenth of building the Word
        if type(arg) is not Token:
            words.append(_ps_word(arg, line, col))
        elif arg.kind == "word":
            text = arg.text
            words.append(Word(text, text, line, col, text, False, "", False, '"' + text.replace('"', '`"') + '"'))
        else:
            words.extend(_verbatim_words(src, arg))
    return tuple(words)


def _verbatim_words(src: Source, tok: Token) -> list[Word]:
    """The words after `--%`: split at spaces outside double quotes, nothing expanded (about_Parsing)."""
    words = []
    for m in re.finditer(r'(?:"[^"]*"?|[^\s"])+', tok.text):
        line, col = src.position(tok.start + m.start())
        unquoted = re.sub(r'"[^"]*"?', "", m.group(0))
        words.append(Word(m.group(0), m.group(0).replace('"', ""), line, col, unquoted,
                          not unquoted, ps_verbatim=True))
    return words


def _powershell(text: str, first_line: int, tokens: list[Token], mentioning: str | None = None) -> list[Command]:
    src = Source(text, first_line)
    found: list[list[_Argument]] = [[]]  # per command, its arguments
    args = found[-1]  # the arguments of the command being read
    current: list[Token] = []  # the tokens of the argument being read
    depth = 0  # inside ( ), $( ), @( ): spaces and newlines do not end the argument there

    for tok in tokens:
        kind = tok.kind
        if kind in _ARGUMENT_PART or depth:
            current.append(tok)
            if depth:
                depth += kind == "open" and tok.text.endswith("(")
                depth -= kind == "close" and tok.text == ")"
        elif (kind == "open" and tok.text.endswith("(")) or (kind == "operator" and tok.text == ","):
            current.append(tok)
            depth += kind == "open"
        else:  # a blank, a continuation, a comment, the text after `--%` or the end of the command
            current = _end_argument(args, current)
            if kind == "verbatim":
                args.append(tok)
            elif kind in _COMMAND_END:  # a newline, `;`, `|`, `&`, and `{ }`: a block of commands
                args = []
                found.append(args)
    _end_argument(args, current)
    return [Command("powershell", _ps_words(src, args))
            for args in found if args and (mentioning is None or mentions(_args_text(args), mentioning))]


def _end_argument(args: list[_Argument], current: list[Token]) -> list[Token]:
    """Adds the argument read (if any) to `args`; returns the (empty) list to read the next one into."""
    if len(current) == 1 and current[0].kind == "word":
        args.append(current[0])
        current.clear()  # no new list: most arguments are one word
    elif current:
        args.append(current)
        return []
    return current


# At depth 0: what an argument is made of (with `(`, `$(`, `@(` and `,`), and what ends a command (`{` and
# `@{` among the opens; `;`, `|`, `&` are the operators other than `,`).
_ARGUMENT_PART = frozenset({"word", "string", "herestring", "variable", "escape"})
_COMMAND_END = frozenset({"newline", "operator", "open", "close"})


def _args_text(args: list[_Argument]) -> str:
    return " ".join(a.text if type(a) is Token else "".join(t.text for t in a) for a in args)
