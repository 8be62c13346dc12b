"""PowerShell strings as the tokenizer reads them: the characters between quotes, backticks and `$(` are
skipped by one regex search, still counted one operation each; curly quotes (which PowerShell takes as
quotes) are looked for only in a text that has one."""
from __future__ import annotations

import pytest

from dind_doctor.project.pstokens import tokenize_counted

# (text, tokens as (kind, text, unterminated), operations)
ROWS = [
    ("'it''s' \"a`\"b$x$(\"in\" + 'q')c\"",
     [("string", "'it''s'", False), ("space", " ", False), ("string", "\"a`\"b$x$(\"in\" + 'q')c\"", False)], 27),
    ("\"\u201cq\u201d\u201d\u201c\" \u2018x\u2019\u2019y\u2019",
     [("string", "\"\u201c", False), ("word", "q", False), ("string", "\u201d\u201d\u201c\"", False),
      ("space", " ", False), ("string", "\u2018x\u2019\u2019y\u2019", False)], 12),
    ("\"a$(\"b$(1)\")`", [("string", "\"a$(\"b$(1)\")`", True)], 11),
    ("'open", [("string", "'open", True)], 5),
    ("\"open `", [("string", "\"open `", True)], 7),
    ("\"\u201c$(x)\"", [("string", "\"\u201c", False), ("open", "$(", False), ("word", "x", False),
                       ("close", ")", False), ("string", "\"", True)], 6),
    ("\"$ $$ `$(no)\" 'x'", [("string", "\"$ $$ `$(no)\"", False), ("space", " ", False), ("string", "'x'", False)], 16),
]


@pytest.mark.parametrize("text, tokens, ops", ROWS, ids=[f"row{i}" for i in range(len(ROWS))])
def test_strings_are_read_as_powershell_reads_them(text: str, tokens: list[tuple[str, str, bool]], ops: int):
    found, counted = tokenize_counted(text)
    assert [(t.kind, t.text, t.unterminated) for t in found] == tokens
    assert counted == ops


def test_a_long_string_costs_one_operation_a_character():
    """A string's characters are counted though not stepped through: the budget (10 a character) still
    measures the text, and a string of n characters costs n operations, whichever quote it uses."""
    for text in ("'" + "x" * 5000 + "'", '"' + "x y" * 2000 + '"', "\u2018" + "x" * 5000 + "\u2019"):
        (token,), ops = tokenize_counted(text)
        assert token.kind == "string" and not token.unterminated and ops == len(text)
