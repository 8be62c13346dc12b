"""Plain .env lines are read without python-dotenv (issue 15: it imports `logging`); on them the reading
must be python-dotenv's own, and any other line must still go through python-dotenv."""
import io
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st
from dotenv import dotenv_values

from dind_doctor.project import dotenv_lint
from dind_doctor.project.dotenv_lint import lint, lint_by_dotenv
from dind_doctor.project.file_text import FileText, env_values
from dind_doctor.project.plain_env import plain_pairs

def env_file(text: str) -> FileText:
    return FileText(Path("x/.env"), "x/.env", text.encode("utf-8"), text)


PLAIN = [
    "",
    "\n",
    "A=1",
    "A=1\n",
    "A=\n",  # empty value
    "A=1\nB=two\n",
    "# comment only\n",
    "#\n#A=1 'quoted' $X\n",  # comments may hold anything
    "\n\nA=1\n",  # empty lines before the first key
    "A=1\n\n\n# note\n\nB=2\n\nC=3",  # python-dotenv counts B's binding from the line after `# note`
    "_A9=postgresql://u:p@host:5432/db?x=1&y=2\n",
    "AWS_REGION=eu-west-3\nURL=http://h/p;q=a,b+c%20d~e!f*g(h)\n",
    "K=é€ü\n",  # non-ASCII values
    "A=x=y==z\n",  # `=` inside the value
    "\ufeffA=1\nB=2\n",  # a BOM (lint and env_values remove it first)
]

NOT_PLAIN = [
    'A="quoted"\n',
    "A='single'\n",
    "A=x # comment\n",
    "A=x#y\n",
    "A=$B\n",
    "A=${B}\n",
    "A=back\\slash\n",
    "A=`cmd`\n",
    "A=1\r\n",  # CRLF
    "A=1\rB=2\n",  # a lone CR
    "A=1\nA=2\n",  # a key twice
    "export A=1\n",
    "A = 1\n",
    "A= 1\n",
    " A=1\n",
    "A=1 \n",
    "  \n",  # a line of spaces
    "A\n",  # a key without `=`
    "A-B=1\n",
    "1A=1\n",
    "A.B=1\n",
    "A=x\tb\n",
    "A=x\x0by\n",
]


@pytest.mark.parametrize("text", PLAIN)
def test_plain_lines_read_as_python_dotenv_reads_them(text):
    stripped = text.lstrip("\ufeff")
    assert plain_pairs(stripped) is not None
    ours, theirs = lint(text), lint_by_dotenv(stripped)
    assert (ours.values, ours.lines, ours.issues) == (theirs.values, theirs.lines, theirs.issues)
    assert list(ours.values) == list(theirs.values)  # same order
    expected = {k: v or "" for k, v in dotenv_values(stream=io.StringIO(stripped)).items()}
    assert env_values(env_file(text)) == expected
    assert list(env_values(env_file(text))) == list(expected)


@pytest.mark.parametrize("text", NOT_PLAIN)
def test_other_lines_go_through_python_dotenv(text, monkeypatch):
    assert plain_pairs(text) is None
    calls = []
    real = dotenv_lint.lint_by_dotenv
    monkeypatch.setattr(dotenv_lint, "lint_by_dotenv", lambda t: calls.append(t) or real(t))
    report = lint(text)
    assert calls == [text]
    theirs = real(text)
    assert (report.values, report.lines, report.issues) == (theirs.values, theirs.lines, theirs.issues)
    assert env_values(env_file(text)) == {k: v or "" for k, v in
                                                    dotenv_values(stream=io.StringIO(text)).items()}


def test_env_values_uses_python_dotenv_where_a_split_would_be_wrong():
    # A split at `=` would keep the quotes and the comment: the values prove python-dotenv read them.
    assert env_values(env_file('A="q"\nB=x # c\nC=${A}\n')) == {"A": "q", "B": "x", "C": "q"}


def test_line_numbers_follow_python_dotenv_bindings():
    assert [line for _, _, line in plain_pairs("A=1\n\n\n# n\n\nB=2\n")] == [1, 5]


PIECES = st.sampled_from(["A", "B", "KEY_1", "=", "\n", "\n\n", "#", "# c\n", "x", "é", "-", ":/", "\ufeff", " ",
                          '"', "$", "\r", "A=1\n", "B=\n"])


@settings(max_examples=1000, deadline=None)
@given(st.lists(PIECES, max_size=30).map("".join))
def test_any_text_reads_as_python_dotenv_reads_it(text):
    stripped = text.lstrip("\ufeff")
    ours, theirs = lint(text), lint_by_dotenv(stripped)
    assert (ours.values, ours.lines, ours.issues) == (theirs.values, theirs.lines, theirs.issues)
    assert env_values(env_file(text)) == {k: v or "" for k, v in dotenv_values(stream=io.StringIO(stripped)).items()}
