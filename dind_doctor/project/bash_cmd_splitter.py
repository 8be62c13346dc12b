"""bash and cmd scripts split as their shell does, into Commands of Words (PowerShell: shell_words).

bash joins `\\`+newline, honours quotes (which may span lines), `\\` escapes, `#` comments, heredoc bodies and
`;` `&&` `||` `|` `&`. cmd joins `^`+newline, `^x` is x, `"` quotes, `rem`/`::` comments, `( )` blocks and
`&` `&&` `||` `|`. No shell expands anything here: variables stay as written.
"""
from __future__ import annotations

import re

from .command_words import Command, Word
from .pstokens import Source


class Splitter:
    """One linear pass over a bash or cmd text: `run()` returns its Commands."""

    def __init__(self, text: str, dialect: str, src: Source) -> None:
        self.text, self.n, self.src = text, len(text), src
        self.cmd = dialect == "cmd"
        self.dialect = dialect
        self.escape = "^" if self.cmd else "\\"
        self.found: list[list[Word]] = [[]]
        self.blocks = 0  # cmd: open `(` blocks
        self.heredocs: list[tuple[str, bool]] = []  # bash `<<EOF` / `<<-EOF` whose body follows the line
        # A run of characters with no meaning to the shell, taken at once (linear, and fast on big scripts).
        self.plain = re.compile(r"[^ \t\r\n;|&<>()\"^]+" if self.cmd else r"[^ \t\r\n;|&<>()\"'\\$`]+")

    def run(self) -> list[Command]:
        i = 0
        while i < self.n:
            i = self._skip_blank(i)
            if i >= self.n:
                break
            ch = self.text[i]
            if ch in "\r\n;|&<>" or (ch == "#" and not self.cmd) or self._paren(i, True):
                i = self._separator(i)
            elif self.cmd and not self.found[-1] and self._cmd_comment(i):
                i = self._line_end(i)
            else:
                i = self._word(i)
        return [Command(self.dialect, tuple(w)) for w in self.found if w]

    def _skip_blank(self, i: int) -> int:
        while i < self.n:
            if self.text[i] in " \t":
                i += 1
            elif self.text[i] == self.escape and self._newline_after(i + 1):
                i = self._newline_after(i + 1)  # a continuation between words
            elif self.cmd and not self.found[-1] and self.text[i] == "@":
                i += 1  # `@docker run ...`: the @ only hides the echo
            else:
                break
        return i

    def _paren(self, i: int, word_start: bool) -> bool:
        """A bracket that separates commands: any in bash (subshells; `$(...)` is read whole before). In cmd
        a `(` at the start of a word opens a block (`if exist x (`, `else (`) and, inside a block, any `)`
        closes it (cmd's own rule); elsewhere cmd passes brackets on (`-v $(pwd):/x` reaches docker whole)."""
        ch = self.text[i]
        if ch not in "()":
            return False
        if not self.cmd:
            return True
        return self.blocks > 0 if ch == ")" else word_start

    def _newline_after(self, i: int) -> int:
        """The offset after a newline starting at i, else 0. An escape followed by a space escapes the space:
        the line does not continue, in bash and cmd as in PowerShell."""
        j = i
        if self.text.startswith("\r\n", j):
            return j + 2
        return j + 1 if j < self.n and self.text[j] in "\r\n" else 0

    def _line_end(self, i: int) -> int:
        while i < self.n and self.text[i] not in "\r\n":
            i += 1
        return i

    def _cmd_comment(self, i: int) -> bool:
        rest = self.text[i:i + 4].lower()
        return rest.startswith("::") or (rest.startswith("rem") and (len(rest) == 3 or rest[3] in " \t\r\n"))

    def _separator(self, i: int) -> int:
        ch = self.text[i]
        if ch == "#":
            return self._line_end(i)
        if ch in "\r\n" and self.heredocs:
            return self._heredoc_bodies(i)
        if ch in "<>":  # a redirection: its target is no argument of the command
            heredoc = not self.cmd and self.text.startswith("<<", i) and not self.text.startswith("<<<", i)
            strip_tabs = heredoc and self.text.startswith("<<-", i)
            i += 2 + strip_tabs if heredoc else 1 + (self.text[i + 1:i + 2] in (">", "&"))
            i = self._skip_blank(i)
            if i < self.n and self.text[i] not in "\r\n;|&":
                start, i = i, self._word(i, keep=False)
                if heredoc:
                    self.heredocs.append((re.sub(r"[\"'\\]", "", self.text[start:i]), strip_tabs))
            return i
        if ch in "()":
            self.blocks += 1 if ch == "(" else -1
        if self.found[-1]:
            self.found.append([])
        return i + 1

    def _heredoc_bodies(self, i: int) -> int:
        """Skips the bodies of the heredocs opened on the line ending at i: text, not commands."""
        i = self._line_end(i)
        i += 2 if self.text.startswith("\r\n", i) else 1
        for delimiter, strip_tabs in self.heredocs:
            while i < self.n:
                end = self._line_end(i)
                line = self.text[i:end]
                i = end + (2 if self.text.startswith("\r\n", end) else 1)
                if (line.lstrip("\t") if strip_tabs else line) == delimiter:
                    break
        self.heredocs = []
        if self.found[-1]:
            self.found.append([])
        return i

    def _word(self, i: int, keep: bool = True) -> int:
        start, value, unquoted, quoted_parts, plain_parts = i, [], [], 0, 0
        while i < self.n:
            run = self.plain.match(self.text, i)
            if run:
                value.append(run.group(0))
                unquoted.append(run.group(0))
                plain_parts += 1
                i = run.end()
                continue
            ch = self.text[i]
            if ch in " \t\r\n;|&<>" or self._paren(i, i == start):
                break
            if ch == self.escape:
                after = self._newline_after(i + 1)
                if after:  # a continuation inside a word joins the lines
                    i = after
                    continue
                if i + 1 < self.n:
                    value.append(self.text[i + 1])
                    unquoted.append(self.text[i:i + 2])
                    i += 2
                    plain_parts += 1
                    continue
            if ch == '"' or (ch == "'" and not self.cmd):
                end = self._quote_end(i)
                inner = self.text[i + 1:end]
                if ch == '"' and not self.cmd:
                    inner = re.sub(r'\\([\\"$`])', r"\1", inner).replace("\\\r\n", "").replace("\\\n", "")
                value.append(inner)
                quoted_parts += 1
                i = min(end + 1, self.n)
                continue
            if ch == "$" and self.text.startswith(("$(", "${"), i) and not self.cmd:
                end = self._balanced(i + 1)
                value.append(self.text[i:end])
                unquoted.append(self.text[i:end])
                plain_parts += 1
                i = end
                continue
            if ch == "`" and not self.cmd:
                end = self.text.find("`", i + 1)
                end = self.n if end < 0 else end + 1
                value.append(self.text[i:end])
                unquoted.append(self.text[i:end])
                plain_parts += 1
                i = end
                continue
            value.append(ch)
            unquoted.append(ch)
            plain_parts += 1
            i += 1
        if self.text[start:i].isdigit() and self.text[i:i + 1] in ("<", ">"):
            keep = False  # `2>&1`: the descriptor of a redirection
        if keep and i > start:
            line, col = self.src.position(start)
            self.found[-1].append(Word(self.text[start:i], "".join(value), line, col, "".join(unquoted),
                                       quoted_parts > 0 and plain_parts == 0))
        return i if i > start else start + 1

    def _quote_end(self, i: int) -> int:
        quote, j = self.text[i], i + 1
        while j < self.n:
            if self.text[j] == quote:
                return j
            j += 2 if self.text[j] == "\\" and quote == '"' and not self.cmd else 1
        return self.n

    def _balanced(self, i: int) -> int:
        """The offset after the bracket opened at i (`(` or `{`), quotes and nesting honoured."""
        close = {"(": ")", "{": "}"}[self.text[i]]
        depth, j = 0, i
        while j < self.n:
            ch = self.text[j]
            if ch in "'\"":
                j = self._quote_end(j) + 1
                continue
            if ch == self.text[i]:
                depth += 1
            elif ch == close:
                depth -= 1
                if depth == 0:
                    return j + 1
            j += 1
        return self.n
