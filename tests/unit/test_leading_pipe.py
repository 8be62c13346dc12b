"""PowerShell 7's leading-pipe continuation, one row per documented case: what the reader finds, and what
backtick-continuation says where the script's PowerShell is unknown, declared 7+, or declared 5.1.

Sources cited by the row ids:
- about_Pipelines (MicrosoftDocs/PowerShell-Docs reference/7.4/Microsoft.PowerShell.Core/About/about_Pipelines.md),
  "Intrinsic line continuation": PowerShell 7 continues a pipeline on a line that starts with `|`, and on a
  `|` alone on its line.
- LineContinuance.Tests.ps1 (PowerShell/PowerShell test/powershell/Language/Parser/): the contexts "Parsing and
  executing without error while using a pipe at the beginning of a line" (comment lines may come between) and
  "Lines starting with a pipe that do not parse" / "Lines ending with a pipe that do not parse"
  (EmptyPipeElement: nothing after the `|`, a blank or whitespace-only line before it, `|` then `|`).
- about_Parsing, "Line continuation": a backtick as the last character joins the newline, so the `|` after it
  starts no line (Windows PowerShell 5.1 parses it too).
- about_Pipeline_Chain_Operators: `||` is PowerShell 7's chain operator, not a pipe.
- about_Requires: `#Requires -Version <N>[.<n>]` is a minimum, `-PSEdition Desktop` is Windows PowerShell.
"""
from __future__ import annotations

from pathlib import Path

import pytest
from test_project_support import run_check

from dind_doctor.checks.backtick_continuation import BacktickContinuation
from dind_doctor.checks.pwd_path_forms import PwdPathForms
from dind_doctor.model import Status
from dind_doctor.project.ps_pipelines import leading_pipes, parses_nowhere

WS = "\t \f\v\u00a0\x85"  # the whitespace line of LineContinuance.Tests.ps1

# (id citing the source, script, kinds found, statuses backtick-continuation reports, a phrase of the summary)
ROWS = [
    ("about_Pipelines-leading-pipe-7-only", 'docker run --rm -v "${PWD}:/app" img\n    | Tee-Object log.txt\n',
     ["continues"], ["warn"], "a parse error in Windows PowerShell 5.1"),
    ("about_Pipelines-pipe-alone-on-its-line", "'Hello'\n    |\n    ForEach-Object {\"$_ world\"}\n",
     ["continues"], ["warn"], "one pipeline with line 1 in PowerShell 7+"),
    ("LineContinuance.Tests-comment-line-before-leading-pipe",
     "'Hello'\n    # comments before continued pipelines\n    | ForEach-Object {\"$_ world\"}\n",
     ["continues"], ["warn"], "line 3 starts with `|`"),
    ("LineContinuance.Tests-CR-line-ending", "'Hello'\r    | ForEach-Object {\"$_ world\"}", ["continues"], ["warn"],
     "line 2 starts with `|`"),
    ("LineContinuance.Tests-longer-pipeline-one-finding-per-file",
     "1..10\n    | ForEach-Object {$_}\n    # even only\n    | Where-Object {$_ % 2 -eq 0}\n    | Sort-Object\n",
     ["continues"] * 3, ["warn"], "(3 lines start with `|`)"),
    ("about_Requires-version-7-declared", "#Requires -Version 7.2\n'Hello'\n    | ForEach-Object {$_}\n",
     ["continues"], [], ""),
    ("about_Requires-version-5.1-declared", "#Requires -Version 5.1\n'Hello'\n    | ForEach-Object {$_}\n",
     ["continues"], ["fail"], "a parse error in Windows PowerShell 5.1"),
    ("about_Requires-edition-desktop-declared", "#requires -PSEdition Desktop\n'Hello'\n  | ForEach-Object {$_}\n",
     ["continues"], ["fail"], "stops the whole script"),
    ("about_Requires-not-first-on-its-line", "'x' # #Requires -Version 7\n'Hello'\n  | ForEach-Object {$_}\n",
     ["continues"], ["warn"], "a parse error in Windows PowerShell 5.1"),
    ("LineContinuance.Tests-leading-pipe-with-nothing-after", "'Hello'\n    | # Nothing to see here\n\n",
     ["empty"], ["fail"], "no command to pipe from or into"),
    ("LineContinuance.Tests-leading-pipe-blank-lines-after", "'Hello'\n    |\n\n\n", ["empty"], ["fail"],
     "an empty pipe element"),
    ("LineContinuance.Tests-blank-line-before", "'Hello'\n\n    | ForEach-Object {$_}\n\n", ["after-blank"],
     ["fail"], "after a blank line"),
    ("LineContinuance.Tests-whitespace-line-before", f"'Hello'\n{WS}\n    | ForEach-Object {{$_}}\n",
     ["after-blank"], ["fail"], "(in PowerShell 7 too)"),
    ("LineContinuance.Tests-trailing-pipe-then-leading-pipe", "'Hello' |\n    |\n\n", ["empty"], ["fail"],
     "an empty pipe element"),
    ("about_Pipelines-first-line-of-script", "| ForEach-Object {$_}\n", ["empty"], ["fail"], "no command to pipe"),
    ("about_Parsing-backtick-joins-the-newline", "docker run --rm img `\n    | Out-Null\n", [], [], ""),
    ("about_Pipeline_Chain_Operators-double-bar", "docker build -t img .\n    || exit 1\n", [], [], ""),
    ("about_Quoting_Rules-pipe-inside-here-string", "$s = @'\nline\n| not code\n'@\n", [], [], ""),
]


def _reported(project: Path, text: str):
    (project / "run.ps1").write_text(text, encoding="utf-8", newline="")
    return [f for f in run_check(BacktickContinuation, project) if f.status is not Status.OK]


@pytest.mark.parametrize("rule, text, kinds, statuses, words", ROWS, ids=[r[0] for r in ROWS])
def test_leading_pipe_rows(tmp_path: Path, rule, text, kinds, statuses, words):
    assert [p.kind for p in leading_pipes(text)] == kinds, rule
    found = _reported(tmp_path, text)
    assert sorted(f.status.value for f in found) == statuses, (rule, [f.summary for f in found])
    if found:
        assert words in found[0].summary and found[0].fixes, (rule, found[0].summary)
        assert found[0].location.line == leading_pipes(text)[0].line


def test_the_fix_of_the_7_only_form_parses_everywhere(tmp_path: Path):
    (finding,) = _reported(tmp_path, "docker run --rm img\n    | Tee-Object log.txt\n")
    assert "`docker run --rm img |`" in finding.fixes[0].text and "#Requires -Version 7" in finding.fixes[0].text
    assert _reported(tmp_path, "docker run --rm img |\n    Tee-Object log.txt\n") == []
    assert _reported(tmp_path, "#Requires -Version 7\ndocker run --rm img\n    | Tee-Object log.txt\n") == []


def test_a_comment_after_the_code_stays_out_of_the_fix(tmp_path: Path):
    (finding,) = _reported(tmp_path, "docker run --rm img # the module\n  | Out-File log.txt\n")
    assert "`docker run --rm img |`" in finding.fixes[0].text


def test_a_broken_backtick_before_a_leading_pipe_is_one_finding_saying_both(tmp_path: Path):
    """about_Special_Characters: the backtick escapes the space, so PowerShell 7 passes docker a lone space and
    pipes into the next line; 5.1 does not parse. Deleting the space joins the lines in every version."""
    (finding,) = _reported(tmp_path, "docker run --rm img ` \n  | Out-Null\n")
    assert finding.status is Status.FAIL and "trailing" not in finding.summary
    assert "receives its output in PowerShell 7" in finding.detail and "does not parse" in finding.detail
    assert finding.evidence["piped into, PowerShell 7"] == "| Out-Null"


def test_markdown_blocks_warn(tmp_path: Path):
    (tmp_path / "README.md").write_text("```powershell\n'Hello'\n\n  | ForEach-Object {$_}\n```\n")
    (finding,) = [f for f in run_check(BacktickContinuation, tmp_path) if f.status is not Status.OK]
    assert finding.status is Status.WARN and "(a powershell block in Markdown)" in finding.summary


def test_pwd_path_forms_probes_no_script_that_parses_nowhere(tmp_path: Path):
    """A script no PowerShell parses runs no line: its mount is not probed live (the engine-less context of the
    unit tests would report the probe as skipped); one that only 5.1 rejects runs in 7 and is probed."""
    (tmp_path / "app").mkdir()
    mount = 'docker run --rm -v "${PWD}/app:/app" img\n'
    assert parses_nowhere("'Hello'\n\n  | ForEach-Object {$_}\n")
    (tmp_path / "run.ps1").write_text(mount + "\n  | Out-File log.txt\n")
    assert not [f for f in run_check(PwdPathForms, tmp_path) if "probe" in f.summary]
    (tmp_path / "run.ps1").write_text(mount + "  | Out-File log.txt\n")
    assert [f for f in run_check(PwdPathForms, tmp_path) if "probe" in f.summary]



@pytest.mark.parametrize("script, note", [
    ("docker run --rm img\n  | Out-Null\n", "PowerShell 7 only (line 2 starts with `|`)"),
    ("#Requires -Version 7\ndocker run --rm img\n  | Out-Null\n", ""),
    ("docker run --rm img\n\n  | Out-Null\n", "no PowerShell parses it (line 3"),
    ("docker run --rm img |\n  Out-Null\n", ""),
], ids=["about_Pipelines-7-only", "about_Requires-7", "LineContinuance.Tests-blank-line", "trailing-pipe"])
def test_levels_says_which_powershell_parses_the_run_script(tmp_path: Path, script, note):
    """`levels` imitates the run as PowerShell 7 reads it (a `|` ends docker's arguments in both versions) and
    says so in its evidence when 5.1, or no PowerShell, would not run the script at all."""
    from dind_doctor.levels.walk import run_script_note
    from test_project_support import make_ctx

    (tmp_path / "run_host.ps1").write_text(script, encoding="utf-8")
    said = run_script_note(make_ctx(tmp_path), (tmp_path / "run_host.ps1").resolve())
    assert (note in said) if note else said == ""
