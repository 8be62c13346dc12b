"""Property tests: the PowerShell tokenizer never raises, covers its input exactly, and a --fix output
re-checked has no trailing whitespace after a backtick left."""
from __future__ import annotations

import sys

from hypothesis import given, settings, strategies as st

from dind_doctor.project.fixers import delete_spans
from dind_doctor.project.ps_continuations import continuation_problems
from dind_doctor.project.markdown_fences import markdown_blocks
from dind_doctor.project import pstokens
from dind_doctor.project.pstokens import BLANK, ZERO_WIDTH, Source, tokenize

# Text biased towards what matters: quotes, backticks, $ forms, here-string openers, comments, newlines.
PIECES = st.sampled_from(["`", "` ", "`\t", "\n", "\r\n", "\r", " ", "\t", "'", '"', "''", '""', "$(", ")", "${",
                          "}", "$pwd:", "@'\n", "\n'@", '@"\n', '\n"@', "#", "<#", "#>", "\\", "^", "docker",
                          "-v", "x:/y", "é", "\u00a0", "\ufeff", ";", "|", "@(", "{", "$env:A", "$"])
PS_TEXT = st.one_of(st.text(max_size=200), st.lists(PIECES, max_size=60).map("".join))


@settings(max_examples=400, deadline=None)
@given(PS_TEXT)
def test_tokens_cover_the_text_and_never_raise(text):
    tokens = tokenize(text)
    position = 0
    for token in tokens:
        assert token.start == position and token.end > token.start
        assert text[token.start:token.end] == token.text
        position = token.end
    assert position == len(text)
    assert not [a for a, b in zip(tokens, tokens[1:]) if a.kind == b.kind == "space"]  # a blank run is one token


# Plain words with blanks after them, and runs of blanks longer than the window the tokenizer reads such words in.
PLAIN_TEXT = st.lists(st.sampled_from(["docker", "-v", "x:/y", " ", "    ", "\u3000", "\t", "\u200b", "--%", "#c",
                                       "<x", "@a", "`", "$x", "\n"]), max_size=80).map("".join)


@settings(max_examples=300, deadline=None)
@given(st.one_of(PS_TEXT, PLAIN_TEXT), st.sampled_from([1, 2, 3, 5, 8]))
def test_tokens_do_not_depend_on_the_window_plain_words_are_read_in(text, window):
    expected, default = tokenize(text), pstokens._PLAIN_WINDOW
    try:
        pstokens._PLAIN_WINDOW = window
        assert tokenize(text) == expected
    finally:
        pstokens._PLAIN_WINDOW = default


@settings(max_examples=400, deadline=None)
@given(PS_TEXT)
def test_problems_have_valid_positions(text):
    src = Source(text)
    for problem in continuation_problems(text):
        line, column = src.position(problem.offset)
        assert (line, column) == (problem.line, problem.column)
        assert text[problem.offset] in "`\\^"


@settings(max_examples=400, deadline=None)
@given(PS_TEXT)
def test_fix_output_rechecked_is_clean(text):
    spans = [p.fix_span for p in continuation_problems(text) if p.fix_span]
    fixed = delete_spans(text, spans)
    assert not [p for p in continuation_problems(fixed) if p.kind == "trailing-space"]
    # the fix only deletes blanks (any Unicode space or zero-width character after the backtick)
    assert sorted(fixed) == sorted(text) or len(fixed) < len(text)
    assert "".join(c for c in fixed if c not in BLANK) == "".join(c for c in text if c not in BLANK)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["```powershell\n", "```\n", "~~~ps1\n", "x `  \n", "\n", "text\n", "- item\n",
                                 "    ```ps1\n", "> ```pwsh\n", "````markdown\n", "````\n", "a\x0cb\u2028c\x85\n"]),
                max_size=30).map("".join))
def test_markdown_blocks_map_back_to_the_file(text):
    for block in markdown_blocks(text):
        assert text[block.offset:block.offset + len(block.text)] == block.text or block.quoted
        lines = [line + "\n" for line in text.split("\n")]  # CommonMark: lines end at LF (here no CR)
        first = block.text.split("\n")[0] + "\n"
        assert lines[block.first_line - 1] == first or not block.text or block.quoted


def test_blanks_are_every_unicode_space_but_cr_lf_and_the_zero_width_characters():
    """BLANK is written out (computing it cost start-up time): it must stay what str.isspace says."""
    spaces = {c for c in map(chr, range(sys.maxunicode + 1)) if c.isspace()}
    assert BLANK == frozenset(spaces - {"\r", "\n"}) | ZERO_WIDTH
