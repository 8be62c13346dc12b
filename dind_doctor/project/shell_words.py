"""A script's text as the commands its shell runs, each a list of words (arguments), per dialect.

PowerShell goes ALWAYS through the tokenizer (pstokens): a backtick followed by a space escapes the space,
the command ends at that line, and the lines after it never reach the command; `$(...)` followed by more
text is two arguments. bash and cmd go through bash_cmd_splitter; Word and Command are defined in command_words.
No shell expands anything here: variables stay as written.
"""
from __future__ import annotations

import re

from .bash_cmd_splitter import Splitter
from .command_words import Command, Word
from .ps_arguments import elements, one_string, splits
from .pstokens import Source, Token, tokenize


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
_UNQUOTED = str.maketrans("", "", "\"'`\u2018\u2019\u201c\u201d^\\")


def mentions(text: str, needle: str) -> bool:
    """`needle` may be the value of a word of `text`: `d"ocker"` and `` d`ocker `` are `docker` too."""
    return needle in text.lower() or needle in text.lower().translate(_UNQUOTED)


# -- PowerShell ----------------------------------------------------------------------------------------
def _ps_value(tok: Token) -> str:
    if tok.kind == "string" and len(tok.text) >= 2:
        inner = tok.text[1:-1] if not tok.unterminated else tok.text[1:]
        if tok.text[0] in "'\u2018\u2019":
            return re.sub(r"(['\u2018\u2019])\1", r"\1", inner)
        return re.sub(r"`(.)", r"\1", inner)
    if tok.kind == "herestring":
        return tok.text[2:-2].strip("\r\n")
    if tok.kind == "escape":
        return tok.escaped
    return tok.text


def _ps_word(src: Source, arg: list[Token]) -> Word:
    line, col = src.position(arg[0].start)
    if len(arg) == 1 and arg[0].kind == "word":  # most arguments: one plain word, nothing to split or expand
        text = arg[0].text
        return Word(text, text, line, col, text, False, ps_one_string='"' + text.replace('"', '`"') + '"')
    bad = any(t.bad_drive for t in arg) or any(
        t.kind == "string" and t.text.startswith('"') and re.search(r"\$pwd:(?![\w:])", t.text, re.I) for t in arg)
    parts = elements(arg)
    first = splits(parts)
    return Word("".join(t.text for t in arg), "".join(_ps_value(t) for t in arg), line, col,
                "".join(t.text for t in arg if t.kind not in ("string", "herestring")),
                all(t.kind in ("string", "herestring") for t in arg),
                "".join(p.text for p in parts[:first]), bool(bad), one_string(arg))


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
    found: list[list[list[Token] | Word]] = [[]]  # per command, its arguments: tokens, or words after `--%`
    current: list[Token] = []
    depth = 0  # inside ( ), $( ), @( ): spaces and newlines do not end the argument there

    def end_arg() -> None:
        nonlocal current
        if current:
            found[-1].append(current)
            current = []

    for tok in tokens:
        opens = tok.kind == "open" and tok.text.endswith("(")
        if depth:
            current.append(tok)
            depth += opens
            depth -= tok.kind == "close" and tok.text == ")"
        elif tok.kind in ("space", "continuation", "comment"):
            end_arg()
        elif tok.kind == "verbatim":
            end_arg()
            found[-1].extend(_verbatim_words(src, tok))
        elif tok.kind == "newline" or (tok.kind == "operator" and tok.text in ";|&") or \
                (tok.kind == "open" and not opens) or tok.kind == "close":  # `{ }`: a block of commands
            end_arg()
            found.append([])
        else:
            current.append(tok)
            depth += opens
    end_arg()
    return [Command("powershell", tuple(a if isinstance(a, Word) else _ps_word(src, a) for a in args))
            for args in found if args and (mentioning is None or mentions(_args_text(args), mentioning))]


def _args_text(args: list[list[Token] | Word]) -> str:
    return " ".join(a.text if isinstance(a, Word) else a[0].text if len(a) == 1 else "".join(t.text for t in a)
                    for a in args)  # one token: most arguments, no generator to start
