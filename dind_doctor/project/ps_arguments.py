"""How PowerShell turns the tokens of one argument into what a native program receives (argument mode),
from about_Parsing and about_Quoting_Rules; the tokens come from pstokens, the one PowerShell tokenizer.

- about_Parsing, "Argument mode": a value that BEGINS with a quoted string, `$(...)`, `(...)`, `@(...)`, or a
  variable reference with member access or an index (`$PWD.Path`, `${pwd}.Path`, `$a[0]`) ends where that
  element ends: "the first of any additional characters is considered the start of a new argument". So
  `"$PWD":/app` and `$PWD.Path:/app` are two arguments. A simple reference (`$PWD/x`, `${PWD}:/x`) keeps
  the characters after it in the same argument.
- about_Quoting_Rules: inside double quotes only SIMPLE variable references expand (`"$PWD.Path"` is the
  folder followed by the text `.Path`); an expression needs `$(...)`.
- about_Variables / the tokenizer's InvalidVariableReferenceWithDrive: `$name:` followed by a character that
  cannot start a variable name is a parse error, in code and in expandable strings and here-strings alike,
  and a parse error stops the whole script before its first line runs.
"""
from __future__ import annotations

import re
from ..records import dataclass

from .pstokens import SINGLE_QUOTES, Token

# In a single-quoted string a doubled quote stands for one (about_Quoting_Rules); any of the three quotes.
DOUBLED_SINGLE_QUOTE = re.compile(f"([{SINGLE_QUOTES}])\\1")

_MEMBER = re.compile(r"(?:\.[A-Za-z_]\w*|\[[^\]]*\])+")
# In an expandable string: an escape (skipped) or a `$name:` followed by no variable-name character.
_DRIVE_IN_STRING = re.compile(r"`.|\$([A-Za-z_?][\w?]*):(?![\w?:{])", re.S)
_SIMPLE_VARIABLE = re.compile(r"(?<!`)\$([A-Za-z_]\w*)\b(?![.\[]|:[\w?])")
_PWD_CALL = re.compile(r"\$\(\s*pwd\s*\)", re.I)  # `$(pwd)` is the current folder: `${PWD}` says so plainly


@dataclass(frozen=True)
class Element:
    """One piece of an argument, as the parser sees it."""

    kind: str  # string, herestring, subexpr ($(...)), paren ((...)), array (@(...)), variable, member, word
    tokens: tuple[Token, ...]

    @property
    def text(self) -> str:
        return "".join(t.text for t in self.tokens)


def elements(arg: list[Token]) -> list[Element]:
    """The argument's tokens grouped into elements; a member access or index after a variable becomes
    its own `member` element (split off the word that holds it)."""
    out: list[Element] = []
    i = 0
    while i < len(arg):
        tok = arg[i]
        if tok.kind == "open" and tok.text.endswith("("):
            depth, j = 1, i + 1
            while j < len(arg) and depth:
                depth += arg[j].kind == "open" and arg[j].text.endswith("(")
                depth -= arg[j].kind == "close" and arg[j].text == ")"
                j += 1
            out.append(Element({"$(": "subexpr", "@(": "array"}.get(tok.text, "paren"), tuple(arg[i:j])))
            i = j
            continue
        if tok.kind == "word" and out and out[-1].kind == "variable" and (m := _MEMBER.match(tok.text)):
            head = Token("word", tok.start, tok.start + m.end(), m.group(0))
            out.append(Element("member", (head,)))
            if m.end() < len(tok.text):
                out.append(Element("word", (Token("word", head.end, tok.end, tok.text[m.end():]),)))
        else:
            out.append(Element(tok.kind if tok.kind in ("string", "herestring", "variable") else "word", (tok,)))
        i += 1
    return out


def splits(parts: list[Element]) -> int:
    """How many leading elements PowerShell passes as the first argument when the argument splits (0: it
    stays one argument)."""
    if not parts:
        return 0
    first = 2 if parts[0].kind == "variable" and len(parts) > 1 and parts[1].kind == "member" else 1
    if first == 1 and parts[0].kind not in ("string", "herestring", "subexpr", "paren", "array"):
        return 0
    return first if len(parts) > first else 0


def _inside_double_quotes(part: Element, member: str = "") -> str:
    """The element written so that it means the same inside one double-quoted string."""
    text = part.text
    if part.kind == "string":
        inner = text[1:-1]
        if text[0] in SINGLE_QUOTES:
            inner = DOUBLED_SINGLE_QUOTE.sub(r"\1", inner)
            return re.sub(r'([`$"])', r"`\1", inner)
        return inner
    if part.kind == "variable":
        name = text if text.startswith("${") else "${" + text[1:].rstrip(":") + "}" + (":" if text.endswith(":") else "")
        return f"$({text}{member})" if member else name
    if part.kind == "paren":
        return "$" + text
    if part.kind == "array":
        return f"$({text})"
    return text.replace('"', '`"')


def one_string(arg: list[Token]) -> str | None:
    """The argument rewritten as ONE double-quoted string with the value it was meant to have (the current
    folder written `${PWD}`); None when it holds a here-string or an unterminated string."""
    parts = elements(arg)
    if any(t.kind == "herestring" or t.unterminated for t in arg):
        return None
    out: list[str] = []
    for k, part in enumerate(parts):
        if part.kind == "member":
            continue
        member = parts[k + 1].text if part.kind == "variable" and k + 1 < len(parts) and \
            parts[k + 1].kind == "member" else ""
        out.append(_inside_double_quotes(part, member))
    # every simple variable braced: `"$PWD:/app"` would be a drive-qualified reference (a parse error)
    return '"' + _SIMPLE_VARIABLE.sub(r"${\1}", _PWD_CALL.sub("${PWD}", "".join(out))) + '"'


@dataclass(frozen=True)
class DriveError:
    """A `$name:` the parser rejects (InvalidVariableReferenceWithDrive)."""

    offset: int
    variable: str


def drive_errors(tokens: list[Token]) -> list[DriveError]:
    """Every `$name:` followed by a non-name character, in code (the tokenizer marks it) and in expandable
    strings and here-strings (`"$name:$version"`, `@"...$PSScriptRoot:/app..."@`)."""
    found: list[DriveError] = []
    for tok in tokens:
        if tok.kind == "variable" and tok.bad_drive:
            found.append(DriveError(tok.start, tok.text.rstrip(":")))
        elif (tok.kind == "string" and tok.text[:1] in "\"\u201c\u201d") or tok.text.startswith('@"'):
            for m in _DRIVE_IN_STRING.finditer(tok.text):
                if m.group(1):
                    found.append(DriveError(tok.start + m.start(), "$" + m.group(1)))
    return found
