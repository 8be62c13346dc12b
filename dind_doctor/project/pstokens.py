"""A PowerShell tokenizer, good enough to know what is code and what is a string, a here-string or a
comment, and where a line really continues.

It never raises: an unterminated string or comment runs to the end of the text, as PowerShell would read
it before reporting the error. Tokens carry offsets; `Source` turns them into 1-based lines and columns.

Kinds: space, newline, comment, string ('...' or "..."), herestring (@'...'@ or @"..."@), variable
($name, ${...}, $env:NAME; `bad_drive` for `$pwd:` followed by a non-name character, the parse error
InvalidVariableReferenceWithDrive), escape (a backtick and the character it escapes), continuation (a
backtick ending the line, or the text), verbatim (what follows `--%`
up to the line's end or `|`, passed as is: about_Parsing, stop-parsing token), open ($( @( @{ ( {), close () }), operator (; | & ,), word.
"""
from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Iterator
from itertools import accumulate, cycle, islice, repeat
from typing import NamedTuple, final

MAX_NESTING = 40
# What separates tokens (about_Special_Characters, the tokenizer's whitespace): every Unicode space but the
# two newline characters (PowerShell ends a line at CR or LF only: NEL, U+2028 and form feed are blanks),
# and the zero-width characters an editor shows as nothing, so `` `<U+200B> `` reads as the trap it is.
ZERO_WIDTH = frozenset("\u200b\u200c\u200d\u2060\ufeff")
# Every str.isspace character but CR and LF, written out: finding them with isspace over 0x3001 code points
# cost a millisecond per start-up (tests/unit/test_backtick_properties.py checks it over all of Unicode).
_SPACES = frozenset("\t\x0b\x0c\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005"
                    "\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000")
BLANK = _SPACES | ZERO_WIDTH
# The quotes a string opens and closes with: PowerShell also takes these typographic ones
SINGLE_QUOTES = "'\u2018\u2019"
DOUBLE_QUOTES = '"\u201c\u201d'
WORD_STOP = frozenset("\r\n;|&(){},$`" + SINGLE_QUOTES + DOUBLE_QUOTES) | BLANK
_VAR_NAME = re.compile(r"[\w?]+", re.UNICODE)
_NEWLINE = re.compile(r"\r\n?|\n")
# A `#` starts a comment only where a token may start (about_Comment_Based_Help, about_Parsing): inside an
# argument (`TAG=$tag#1`, `"a"#b`) it is a character of that argument.
_COMMENT_AFTER = frozenset({"space", "newline", "operator", "open", "continuation", "comment"})


def _chars(chars: frozenset[str]) -> str:
    """The characters, escaped for a regex character class."""
    return "".join(map(re.escape, sorted(chars)))


# Runs of blanks, of word characters and of the rest of a line, each matched in one regex step: a Python loop
# per character was half of tokenizing a long line.
_BLANK_RUN = re.compile(f"[{_chars(BLANK)}]+")
_WORD_RUN = re.compile(f"[^{_chars(WORD_STOP)}]*")
# A character no branch of `code` but the word's may start with: tested first, it skips the other tests for
# most characters of a long command line.
_TOKEN_START = WORD_STOP | frozenset("<#@")
# A run of plain words, each followed by blanks (`docker run -e A=1 -v x:/y ...`, most of a long command line):
# found in one regex step and cut into word and space tokens in C (findall, accumulate, tuple.__new__) instead
# of one turn of `code`'s loop per token. Each of its words starts with a character only a word starts with,
# and is not `--%`. It is matched _PLAIN_WINDOW characters at a time: a regex repeat keeps state per
# repetition (1 GB for a 22 MB line), and the possessive repeat that would not needs Python 3.11.
_PLAIN_RUN = re.compile(f"(?:(?!--%[{_chars(BLANK)}])[^{_chars(_TOKEN_START)}]{_WORD_RUN.pattern}"
                        f"{_BLANK_RUN.pattern})+")
_PLAIN_PIECE = re.compile(f"{_BLANK_RUN.pattern}|[^{_chars(BLANK)}]+")  # a word or the blanks after it
_PLAIN_WINDOW = 4096
_WORD_SPACE = ("word", "space")
_LINE_REST = re.compile("[^\r\n]*")
_VERBATIM_REST = re.compile("[^\r\n|]*")
# Where a string may end (or, in a double-quoted one, hold a backtick or `$(`): compiled when a string is first
# met (a run that reads no PowerShell string pays nothing), and with the curly quotes PowerShell also takes
# only for a text that has one (a class mixing them with ASCII compiles ~2 M instructions slower).
_CURLY_QUOTES = SINGLE_QUOTES[1:] + DOUBLE_QUOTES[1:]


@functools.cache
def _string_stops(curly: bool) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """(single-quoted, double-quoted) string stops."""
    if curly:
        return re.compile(f"[{SINGLE_QUOTES}]"), re.compile(f"[`${DOUBLE_QUOTES}]")
    return re.compile("'"), re.compile('[`"$]')


@final  # so that `type(x) is Token` tells mypy what x is, either way
class Token(NamedTuple):  # not a frozen dataclass: built 3x faster, and a long line has 10,000s of tokens
    kind: str
    start: int
    end: int
    text: str
    unterminated: bool = False
    bad_drive: bool = False

    @property
    def escaped(self) -> str:
        """For an escape token: the character after the backtick."""
        return self.text[1:2]


class Source:
    """Text plus line starts, for offset -> (line, column) and line text lookups."""

    def __init__(self, text: str, first_line: int = 1) -> None:
        self.text = text
        self.first_line = first_line
        self.starts = [0] + [m.end() for m in re.finditer(r"\r\n|\n|\r", text)]

    def position(self, offset: int) -> tuple[int, int]:
        index = bisect.bisect_right(self.starts, offset) - 1
        return index + self.first_line, offset - self.starts[index] + 1

    def positions(self, offsets: list[int]) -> Iterator[tuple[int, int]]:
        """position() of each of the ascending `offsets`: one binary search, then a line index that only
        moves forward (a search per word was a tenth of reading a long command line)."""
        starts, index = self.starts, bisect.bisect_right(self.starts, offsets[0]) - 1 if offsets else 0
        last = len(starts) - 1
        for offset in offsets:
            while index < last and starts[index + 1] <= offset:
                index += 1
            yield index + self.first_line, offset - starts[index] + 1

    def line_text(self, line: int) -> str:
        index = line - self.first_line
        if not 0 <= index < len(self.starts):
            return ""
        end = self.starts[index + 1] if index + 1 < len(self.starts) else len(self.text)
        return self.text[self.starts[index]:end].rstrip("\r\n")

    @property
    def last_line(self) -> int:
        return self.first_line + len(self.starts) - 1


class TokenBudgetExceeded(ValueError):
    """One file took more operations than its budget (linear in its size): that file is reported as not
    checked, every other file still is."""


def budget(text: str) -> int:
    """The operations one text may take: several times its length (the tokenizer takes about 1-2 per
    character), so only a quadratic path trips it."""
    return 10 * len(text) + 10_000


class _Scanner:
    def __init__(self, text: str) -> None:
        self.text = text
        self.n = len(text)
        self.ops = 0  # characters and tokens visited: a linear tokenizer keeps this under a few times n
        self.budget = budget(text)
        self.curly = any(quote in text for quote in _CURLY_QUOTES)

    # -- helpers --------------------------------------------------------------------------------
    def _over_budget(self) -> TokenBudgetExceeded:
        return TokenBudgetExceeded(f"tokenizing took over {self.budget} operations ({self.n} characters)")

    def _newline_len(self, i: int) -> int:
        if i < self.n and self.text[i] == "\r":
            return 2 if i + 1 < self.n and self.text[i + 1] == "\n" else 1
        return 1 if i < self.n and self.text[i] == "\n" else 0

    def _at_line_start(self, i: int) -> bool:
        return i == 0 or self.text[i - 1] in "\r\n"

    # -- code -----------------------------------------------------------------------------------
    def code(self, i: int, depth: int = 0, close: bool = False) -> tuple[list[Token], int]:
        """Tokens from i; with `close`, stop after the `)` that closes a $( opened before i."""
        tokens: list[Token] = []
        parens = 0
        text, n = self.text, self.n
        while i < n:
            self.ops += 1
            if self.ops > self.budget:
                raise self._over_budget()
            ch = text[i]
            start = i
            plain = ch not in _TOKEN_START
            if plain and (run := _PLAIN_RUN.match(text, i, min(n, i + _PLAIN_WINDOW))):
                i = run.end()
                if i < n and text[i] in BLANK:  # the window cut a blank run: the rest of it is the same token
                    i = _BLANK_RUN.match(text, i).end()  # type: ignore[union-attr]  # text[i] matches
                pieces = _PLAIN_PIECE.findall(text, start, i)  # word, blanks, word, blanks, ...
                if len(pieces) == 2:  # one word (`Write-Host 'text'`): two tokens cost less than the iterators
                    tokens += (Token("word", start, start + len(pieces[0]), pieces[0]),
                               Token("space", start + len(pieces[0]), i, pieces[1]))
                else:
                    offsets = list(accumulate(map(len, pieces), initial=start))
                    # tuple.__new__ is what Token(...) itself calls: here without a Python frame per token
                    tokens.extend(map(tuple.__new__, repeat(Token), zip(cycle(_WORD_SPACE), offsets,
                                                                        islice(offsets, 1, None), pieces,
                                                                        repeat(False), repeat(False))))
                self.ops += len(pieces) - 1  # one per token, as the loop counts them
                if self.ops > self.budget:
                    raise self._over_budget()
                continue
            if plain:
                pass
            elif ch in "\r\n":
                nl = self._newline_len(i)
                tokens.append(Token("newline", i, i + nl, text[i:i + nl]))
                i += nl
            elif ch in BLANK:
                i = _BLANK_RUN.match(text, i).end()  # type: ignore[union-attr]  # ch itself matches
                tokens.append(Token("space", start, i, text[start:i]))
            elif ch == "<" and text.startswith("<#", i):
                end = text.find("#>", i + 2)
                i = n if end < 0 else end + 2
                tokens.append(Token("comment", start, i, text[start:i], unterminated=end < 0))
            elif ch == "#" and (not tokens or tokens[-1].end != i or tokens[-1].kind in _COMMENT_AFTER or
                                (tokens[-1].kind == "escape" and tokens[-1].escaped in BLANK)):
                i = _LINE_REST.match(text, i).end()  # type: ignore[union-attr]  # matches the empty string
                tokens.append(Token("comment", start, i, text[start:i]))
            elif ch == "`":
                nl = self._newline_len(i + 1)
                if i + 1 >= n:
                    i += 1
                    tokens.append(Token("continuation", start, i, "`"))
                elif nl:
                    i += 1 + nl
                    tokens.append(Token("continuation", start, i, text[start:i]))
                else:
                    i += 2
                    tokens.append(Token("escape", start, i, text[start:i]))
            elif ch == "@" and i + 1 < n and text[i + 1] in "'\"" and self._herestring_opener(i + 2):
                i = self._herestring(i)
                tokens.append(Token("herestring", start, i, text[start:i],
                                    unterminated=not text[start:i].rstrip().endswith(text[start + 1] + "@")))
            elif ch in SINGLE_QUOTES:
                i, done = self._single(i)
                tokens.append(Token("string", start, i, text[start:i], unterminated=not done))
            elif ch in DOUBLE_QUOTES:
                i, done = self._double(i, depth)
                tokens.append(Token("string", start, i, text[start:i], unterminated=not done))
            elif ch == "$":
                i, bad = self._variable(i)
                kind = "open" if text.startswith("$(", start) else "variable"
                if kind == "open":
                    parens += 1
                tokens.append(Token(kind, start, i, text[start:i], bad_drive=bad))
            elif ch == "@" and i + 1 < n and text[i + 1] in "({":
                i += 2
                parens += text[i - 1] == "("
                tokens.append(Token("open", start, i, text[start:i]))
            elif ch in "({":
                i += 1
                parens += ch == "("
                tokens.append(Token("open", start, i, ch))
            elif ch in ")}":
                i += 1
                tokens.append(Token("close", start, i, ch))
                if ch == ")":
                    parens -= 1
                    if close and parens < 0:
                        return tokens, i
            elif ch in ";|&,":
                i += 1
                tokens.append(Token("operator", start, i, ch))
            else:
                plain = True
            if plain:
                i += ch == "#"  # a `#` glued to the argument before it
                i = _WORD_RUN.match(text, i).end()  # type: ignore[union-attr]  # matches the empty string
                if i == start:  # a stop character no branch took (never expected): move on
                    i += 1
                word = text[start:i]
                tokens.append(Token("word", start, i, word))
                if word == "--%":  # about_Parsing: stop-parsing up to the newline or `|`
                    start = i
                    i = _VERBATIM_REST.match(text, i).end()  # type: ignore[union-attr]
                    if i > start:
                        tokens.append(Token("verbatim", start, i, text[start:i]))
        return tokens, i

    def _herestring_opener(self, i: int) -> bool:
        while i < self.n and self.text[i] in " \t":
            i += 1
        return i >= self.n or self._newline_len(i) > 0

    def _herestring(self, i: int) -> int:
        quote = self.text[i + 1]
        j = i + 2
        while True:  # one search per line: looking for CR and LF apart rescanned the rest of the text
            m = _NEWLINE.search(self.text, j)
            if m is None:
                self.ops += self.n - j
                return self.n
            self.ops += m.end() - j
            j = m.end()
            if self.text.startswith(quote + "@", j):
                return j + 2

    # Inside a string only quotes (and, in a double-quoted one, backticks and `$(`) matter: the characters
    # between them are skipped by one regex search, still counted as one operation each (the budget's unit).
    def _single(self, i: int) -> tuple[int, bool]:
        text, n = self.text, self.n
        i += 1
        stop = _string_stops(self.curly)[0]
        while (m := stop.search(text, i)) is not None:
            j = m.start()
            self.ops += j - i + 1
            if j + 1 < n and text[j + 1] in SINGLE_QUOTES:
                i = j + 2
                continue
            return j + 1, True
        self.ops += n - i
        return n, False

    def _double(self, i: int, depth: int) -> tuple[int, bool]:
        text, n = self.text, self.n
        stop = _string_stops(self.curly)[1]
        i += 1
        while i < n:
            m = stop.search(text, i)
            if m is None:
                self.ops += n - i
                return n, False
            j = m.start()
            self.ops += j - i + 1
            ch = text[j]
            if ch == "`":
                i = j + 2
            elif ch != "$":
                if j + 1 < n and text[j + 1] in DOUBLE_QUOTES:
                    i = j + 2
                    continue
                return j + 1, True
            elif j + 1 < n and text[j + 1] == "(" and depth < MAX_NESTING:
                _, i = self.code(j + 2, depth + 1, close=True)
            else:
                i = j + 1
        return min(i, n), False

    def _variable(self, i: int) -> tuple[int, bool]:
        text, n = self.text, self.n
        j = i + 1
        if j < n and text[j] == "(":
            return j + 1, False
        if j < n and text[j] == "{":
            while j < n and text[j] != "}":
                j += 2 if text[j] == "`" else 1
            return min(j + 1, n), False
        if j < n and text[j] in "$^":
            return j + 1, False
        m = _VAR_NAME.match(text, j)
        if not m:
            return j, False  # a lone $: PowerShell takes it literally
        j = m.end()
        if j < n and text[j] == ":" and not text.startswith("::", j):
            m2 = _VAR_NAME.match(text, j + 1)
            if m2:
                return m2.end(), False  # $env:NAME, $script:x
            return j + 1, True  # $pwd: followed by / or a space: InvalidVariableReferenceWithDrive
        return j, False


def tokenize(text: str) -> list[Token]:
    tokens, _ = _Scanner(text).code(0)
    return tokens


def tokenize_counted(text: str) -> tuple[list[Token], int]:
    """tokenize(text) and the operations it took (tests assert they grow linearly with the text)."""
    scanner = _Scanner(text)
    tokens, _ = scanner.code(0)
    return tokens, scanner.ops
