"""pwd-path-forms, one row per rule of PowerShell's and cmd's own documentation: the script line, the verdict,
the fix; every fix is written back into a script and re-checked clean by the same check.

about_Parsing (reference/7.4/Microsoft.PowerShell.Core/About/about_Parsing.md), "Argument mode": "When the
variable reference includes member access, the first of any additional characters is considered the start of
a new argument"; a value that begins with a quoted string, `$(...)`, `(...)` or `@(...)` ends with it.
about_Quoting_Rules: inside double quotes only simple variable references expand; expressions need `$(...)`.
about_Variables / InvalidVariableReferenceWithDrive: `$name:` + a non-name character is a parse error.
about_Parsing, "The stop-parsing token": after `--%` only `%name%` environment variables expand, up to the
newline or `|`; a backtick cannot continue it.
"""
from __future__ import annotations

from pathlib import Path

import pytest
from test_project_support import run_check

from dind_doctor.checks.pwd_path_forms import PwdPathForms
from dind_doctor.model import Status

# (id citing the rule, script line, status, words in the summary, the PowerShell fix)
POWERSHELL = [
    ("about_Parsing-quoted-subexpr-then-text", 'docker run -v "$(pwd)":/app img', "fail", "two arguments",
     '-v "${PWD}:/app"'),
    ("about_Parsing-quoted-variable-then-text", 'docker run -v "$PWD":/app img', "fail", "two arguments",
     '-v "${PWD}:/app"'),
    ("about_Parsing-quoted-braced-variable-then-text", 'docker run -v "${PWD}":/app img', "fail", "two arguments",
     '-v "${PWD}:/app"'),
    ("about_Parsing-paren-expression-then-text", "docker run -v (Get-Location):/app img", "fail", "two arguments",
     '-v "$(Get-Location):/app"'),
    ("about_Parsing-member-access-then-text", "docker run -v $PWD.Path:/app img", "fail", "two arguments",
     '-v "$($PWD.Path):/app"'),
    ("about_Parsing-braced-member-access-then-text", "docker run -v ${pwd}.Path:/app img", "fail", "two arguments",
     '-v "$(${pwd}.Path):/app"'),
    ("about_Parsing-index-then-text", "docker run -v $dirs[0]:/app img", "fail", "two arguments",
     '-v "$($dirs[0]):/app"'),
    ("about_Parsing-array-subexpr-then-text", "docker run -v @(pwd):/app img", "fail", "two arguments",
     '-v "$(@(pwd)):/app"'),
    ("about_Parsing-subexpr-then-text", "docker run -v $(pwd):/app img", "fail", "two arguments",
     '-v "${PWD}:/app"'),
    ("about_Parsing-simple-braced-variable-keeps-text", "docker run -v ${PWD}:/app img", "warn", "unquoted",
     '-v "${PWD}:/app"'),
    ("about_Variables-drive-qualified-in-argument", "docker run -v $PWD:/app img", "fail",
     "InvalidVariableReferenceWithDrive", '-v "${PWD}:/app"'),
    ("about_Parsing-stop-parsing-cd-not-expanded", "docker --% run -v %cd%:/app img", "fail", "after `--%`",
     'Drop `--%` and write -v "${PWD}:/app"'),
]

CLEAN = [  # (id, script line): nothing to say
    ("about_Quoting_Rules-subexpr-provider-path", 'docker run -v "$($PWD.ProviderPath):/app" img'),
    ("about_Quoting_Rules-subexpr-path", 'docker run -v "$($PWD.Path):/app" img'),
    ("about_Quoting_Rules-braced-in-quotes", 'docker run -v "${PWD}:/app" img'),
    ("about_Parsing-stop-parsing-env-variable", "docker --% run -v %USERPROFILE%:/app img"),
    ("about_Parsing-word-then-string-is-one-argument", 'docker run -v C:/x:"/app" img'),
]


def _static(project: Path, name: str, text: str, shell: str = "powershell"):
    (project / name).write_text(text, encoding="utf-8")
    # SKIP: the live probe (no engine in unit tests); "exists neither": folders of another machine
    return [f for f in run_check(PwdPathForms, project, shell=shell)
            if f.status in (Status.FAIL, Status.WARN) and "exists neither" not in f.summary]


@pytest.mark.parametrize("rule, line, status, words, fix", POWERSHELL, ids=[r[0] for r in POWERSHELL])
def test_powershell_rule_verdict_and_fix(tmp_path: Path, rule: str, line: str, status: str, words: str, fix: str):
    (found,) = _static(tmp_path, "run.ps1", line + "\n")
    assert found.status.value == status and words in found.summary, rule
    assert found.fixes_for("powershell")[0].text == fix
    fixed = fix.removeprefix("Drop `--%` and write ")
    assert _static(tmp_path, "run.ps1", f"docker run {fixed} img\n") == [], f"the fix of {rule} is clean"


@pytest.mark.parametrize("rule, line", CLEAN, ids=[r[0] for r in CLEAN])
def test_powershell_clean_forms(tmp_path: Path, rule: str, line: str):
    assert _static(tmp_path, "run.ps1", line + "\n") == [], rule


DRIVE = [  # about_Variables / InvalidVariableReferenceWithDrive: anywhere in the script, strings included
    ("string-name-colon-variable", 'Write-Host "$name:$version"', "$name", 1),
    ("string-scriptroot-colon-slash", 'docker run -v "$PSScriptRoot:/app" img', "$PSScriptRoot", 1),
    ("herestring", '$t = @"\nimage: $image:\n"@', "$image", 2),
    ("code", "Write-Host $tag: done", "$tag", 1),
]


@pytest.mark.parametrize("rule, text, variable, line", DRIVE, ids=[r[0] for r in DRIVE])
def test_a_drive_qualified_variable_stops_the_whole_script_once_per_file(tmp_path: Path, rule, text, variable, line):
    found = _static(tmp_path, "run.ps1", f"{text}\n{text}\ndocker run -v $PWD:/x img\n")
    (stop,) = found  # once per file, and the mount it would have run is not judged on its own
    assert stop.status is Status.FAIL and f"`{variable}:`" in stop.summary and "whole script" in stop.summary
    assert stop.location.line == line and "3 such references" in stop.detail


def test_drive_rule_leaves_valid_forms_alone(tmp_path: Path):
    text = ('Write-Host "$env:PATH ${name}:$version $($a):x `$x: $script:y"\n'
            "Write-Host '$name:$version'\n# $name: in a comment\n")
    assert _static(tmp_path, "run.ps1", text) == []


CMD = [  # cmd's `set /?` and `call /?`: %name% and %~dp0 are substituted before the line is split at spaces
    ("cmd-dp0-unquoted", "docker run -v %~dp0:/app img", "warn", "unquoted `%~dp0`", '-v "%~dp0:/app"'),
    ("cmd-CD-unquoted", "docker run -v %CD%:/app img", "warn", "unquoted `%CD%`", '-v "%CD%:/app"'),
    ("cmd-any-variable-unquoted", "docker run -v %DATA%\\x:/app img", "warn", "unquoted `%DATA%`",
     '-v "%DATA%\\x:/app"'),
    ("cmd-bash-PWD", "docker run -v $PWD:/app img", "fail", "not a cmd variable", '-v "%cd%:/app"'),
]


@pytest.mark.parametrize("rule, line, status, words, fix", CMD, ids=[r[0] for r in CMD])
def test_cmd_rule_verdict_and_fix(tmp_path: Path, rule, line, status, words, fix):
    (found,) = _static(tmp_path, "run.bat", line + "\r\n", "cmd")
    assert found.status.value == status and words in found.summary, rule
    assert found.fixes_for("cmd")[0].text == fix
    assert _static(tmp_path, "run.bat", f"docker run {fix} img\r\n", "cmd") == []


def test_cmd_bash_backslash_continuation(tmp_path: Path):
    found = _static(tmp_path, "run.bat", 'docker run \\\r\n  -v "%cd%:/app" img\r\n', "cmd")
    (cont,) = found
    assert cont.status is Status.FAIL and cont.location.line == 1 and "`^`" in cont.fixes_for("cmd")[0].text
    assert _static(tmp_path, "run.bat", 'docker run ^\r\n  -v "%cd%:/app" img\r\n', "cmd") == []
    # a path that ends in `\` followed by a line that does not continue an argument is left alone
    assert _static(tmp_path, "run.bat", "echo C:\\ \r\nrem done\r\n", "cmd") == []
