"""A command in a script as its shell passes it on: the Words (arguments) a program receives, per dialect.
shell_words builds them (PowerShell through the tokenizer, bash and cmd through bash_cmd_splitter)."""
from __future__ import annotations

from ..records import dataclass


@dataclass(frozen=True, slots=True)  # slots: the standard __init__, 2x faster than the guarded one (10,000s per line)
class Word:
    text: str  # as written, quotes included
    value: str  # what the program receives: quotes and escapes removed, variables as written
    line: int
    column: int
    unquoted: str  # the parts of the text outside any quotes
    fully_quoted: bool
    ps_split: str = ""  # PowerShell: the first of the separate arguments it is passed as ("": one argument)
    ps_bad_drive: bool = False  # PowerShell: `$pwd:` (InvalidVariableReferenceWithDrive)
    ps_one_string: str | None = None  # PowerShell: the argument as ONE double-quoted string (ps_arguments)
    ps_verbatim: bool = False  # PowerShell: after `--%`, passed as written (no variable expands)


@dataclass(frozen=True)
class Command:
    dialect: str
    words: tuple[Word, ...]

    @property
    def line(self) -> int:
        return self.words[0].line if self.words else 0

