"""backtick-continuation, one row per rule of PowerShell's documentation: the script, the verdict, the fix;
every fix is applied and re-checked clean by the same check. Plus the tokenizer's linearity, counted.

about_Parsing (reference/7.4/Microsoft.PowerShell.Core/About/about_Parsing.md), "Line continuation": the
backtick must be the LAST character of the line and joins one newline; "The stop-parsing token": after `--%`
the rest of the line is passed as is. about_Special_Characters: a backtick escapes the character after it (a
doubled backtick is a literal backtick). about_Comments: `#` starts a comment where a token starts, not inside
an argument. about_Operators: after `|`, `,`, `=` or a binary operator, and inside `(...)`/`@{...}`, the
parser reads on to the next line.
"""
from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st
from test_project_support import run_check

from dind_doctor.checks.backtick_continuation import BacktickContinuation
from dind_doctor.checks.pwd_path_forms import PwdPathForms
from dind_doctor.model import Status
from dind_doctor.project.ps_continuations import continuation_problems
from dind_doctor.project.pstokens import budget, tokenize_counted

# (id citing the rule, script, kind found (None: nothing), status, words in the summary, fixed script)
ROWS = [
    ("about_Parsing-continuation-spans-one-newline-blank", "docker run `\n\n  -v x:/y img\n", "blank-line", "fail",
     "blank line", "docker run `\n  -v x:/y img\n"),
    ("about_Parsing-continuation-spans-one-newline-comment", "docker run `\n# mount\n  -v x:/y img\n",
     "comment-line", "fail", "comment line", "# mount\ndocker run `\n  -v x:/y img\n"),
    ("about_Special_Characters-doubled-backtick-is-literal", "docker run ``\n  -v x:/y img\n", "doubled", "fail",
     "literal backtick", "docker run `\n  -v x:/y img\n"),
    ("about_Special_Characters-backtick-escapes-U+3000", "docker run `\u3000\n  -v x:/y img\n", "trailing-space",
     "fail", "U+3000", "docker run `\n  -v x:/y img\n"),
    ("about_Special_Characters-backtick-escapes-U+2003", "docker run `\u2003\n  -v x:/y img\n", "trailing-space",
     "fail", "U+2003", "docker run `\n  -v x:/y img\n"),
    ("about_Special_Characters-backtick-escapes-form-feed", "docker run `\f\n  -v x:/y img\n", "trailing-space",
     "fail", "U+000C", "docker run `\n  -v x:/y img\n"),
    ("about_Special_Characters-backtick-escapes-NEL", "docker run `\x85\n  -v x:/y img\n", "trailing-space",
     "fail", "U+0085", "docker run `\n  -v x:/y img\n"),
    ("about_Special_Characters-backtick-escapes-zero-width", "docker run `\u200b\n  -v x:/y img\n",
     "trailing-space", "fail", "U+200B", "docker run `\n  -v x:/y img\n"),
    ("about_Special_Characters-tab-then-zero-width", "docker run `\t\u200b\n  -v x:/y img\n", "trailing-space",
     "fail", "1 tab", "docker run `\n  -v x:/y img\n"),
    ("about_Comments-hash-inside-argument", "docker run -e TAG=$tag#1 `\n  img\n", None, "", "", ""),
    ("about_Parsing-stop-parsing-backtick", "docker --% run -v x:/y `\n  img\n", "stop-parsing", "fail",
     "`--%`", "docker --% run -v x:/y img\n"),
    ("about_Operators-after-pipe-style-only", "Get-Item x | ` \n  Select-Object Name\n", "trailing-space", "warn",
     "reads on to the next line anyway", "Get-Item x | `\n  Select-Object Name\n"),
    ("about_Operators-after-comma-style-only", "$a = 1, ` \n  2\n", "trailing-space", "warn", "after `,`",
     "$a = 1, `\n  2\n"),
    ("about_Operators-after-assignment-style-only", "$a = ` \n  2\n", "trailing-space", "warn", "operator `=`",
     "$a = `\n  2\n"),
    ("about_Operators-after-binary-operator-style-only", "$a = 1 -and ` \n  $b\n", "trailing-space", "warn",
     "operator `-and`", "$a = 1 -and `\n  $b\n"),
    ("about_Hash_Tables-inside-hashtable-style-only", "$h = @{ a = 1 ` \n  b = 2 }\n", "trailing-space", "warn",
     "inside `@{", "$h = @{ a = 1 `\n  b = 2 }\n"),
    # PowerShell/PowerShell test/powershell/Language/Parser/LineContinuance.Tests.ps1: after `+` these parse and run
    ("LineContinuance.Tests-operator-backtick-blanks", "'Hello' + `\t\f\v\u00a0\x85\n\n    ' world'\n", "trailing-space",
     "warn", "reads on to the next line anyway", "'Hello' + `\n\n    ' world'\n"),
    ("LineContinuance.Tests-operator-backtick-comment", "'Hello' + ` # c\n    ' world'\n", "trailing-comment",
     "warn", "reads on to the next line anyway", "# c\n'Hello' + `\n    ' world'\n"),
    ("LineContinuance.Tests-operator-backtick-comment-line", "'Hello' + `\n# c\n    ' world'\n", None, "", "", ""),
    ("about_Parsing-argument-ending-in-equals-ends-command", "docker run -e A= ` \n  -v x:/y img\n",
     "trailing-space", "fail", "the command ends", "docker run -e A= `\n  -v x:/y img\n"),
    ("about_Parsing-backslash-is-an-argument", "It 'x' {\n  $p | Should -Be \\\n}\n", None, "", "", ""),
    ("about_Parsing-bash-backslash-before-option", "docker run \\\n  -v x:/y img\n", "bash-backslash", "fail",
     "bash line continuation", "docker run `\n  -v x:/y img\n"),
    ("about_Parsing-cmd-caret-before-option", "docker run ^\n  -v x:/y img\n", "cmd-caret", "fail",
     "cmd line continuation", "docker run `\n  -v x:/y img\n"),
]


def _reported(project: Path, text: str):
    (project / "run.ps1").write_text(text, encoding="utf-8")
    return [f for f in run_check(BacktickContinuation, project) if f.status is not Status.OK]


@pytest.mark.parametrize("rule, text, kind, status, words, fixed", ROWS, ids=[r[0] for r in ROWS])
def test_rule_verdict_and_fix(tmp_path: Path, rule, text, kind, status, words, fixed):
    assert [p.kind for p in continuation_problems(text)] == ([kind] if kind else []), rule
    if kind is None:
        assert _reported(tmp_path, text) == []
        return
    (found,) = _reported(tmp_path, text)
    assert found.status.value == status and words in found.summary, (rule, found.summary)
    assert found.fixes
    assert continuation_problems(fixed) == [] and _reported(tmp_path, fixed) == [], f"the fix of {rule} is clean"


# Both checks read PowerShell through the same tokenizer budget: one file past it is an error of that
# file only, for either check.
@pytest.mark.parametrize("check, broken", [
    (BacktickContinuation, "docker run ` \n  -v x:/y img\n"),
    (PwdPathForms, 'docker run -v "$PWD":/app img\n'),
], ids=["backtick-continuation", "pwd-path-forms"])
def test_a_pathological_file_is_an_error_and_the_others_are_still_reported(tmp_path: Path, monkeypatch,
                                                                             check, broken):
    from dind_doctor.project import pstokens

    (tmp_path / "huge.ps1").write_text("docker run " + "x " * 5000 + "\n")
    (tmp_path / "run.ps1").write_text(broken)
    real = pstokens.budget
    monkeypatch.setattr(pstokens, "budget", lambda text: 100 if len(text) > 5000 else real(text))
    found = {(f.location.path, f.status.value) for f in run_check(check, tmp_path)}
    assert found == {("huge.ps1", "error"), ("run.ps1", "fail")}


# Hypothesis: repeating any generated script k times costs k times the operations (within a constant), and
# never more than a few per character: the tokenizer is linear, whatever the input.
PIECES = st.sampled_from(["`", "` ", "``", "\n", "\r\n", " ", "\u3000", "\u200b", "'", '"', "$(", ")", "${", "}",
                          "@'\n", "\n'@", '@"\n', '\n"@', "#", "<#", "#>", "\\", "docker", "-v", "x:/y", "$pwd:",
                          "|", ",", "@{", "(", "--%", "0x01,"])


@settings(max_examples=150, deadline=None)
@given(st.lists(PIECES, min_size=1, max_size=40).map("".join))
def test_the_tokenizer_is_linear(piece):
    counts = []
    for k in (100, 200, 400):
        text = piece * k
        _, ops = tokenize_counted(text)
        assert ops <= 3 * len(text) + 10 and ops < budget(text)
        counts.append(ops)
    # doubling the text adds twice as many operations as the doubling before (a quadratic cost adds 4x)
    assert counts[2] - counts[1] <= 2.5 * (counts[1] - counts[0]) + 10
