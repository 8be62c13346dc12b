"""The Windows workflow's fix harness (tests/windows/fix_harness.py), run here with bash: the fixtures,
the fixes the checks print for each dialect, and the assertions on their effect."""
import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent.parent / "windows"))
import fix_harness  # noqa: E402


@pytest.fixture(autouse=True)
def dind_doctor_on_path(monkeypatch):
    monkeypatch.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")


def test_every_bash_fix_does_what_it_says(tmp_path):
    assert fix_harness.run("bash", tmp_path) == []


def test_a_fix_that_does_nothing_is_caught(tmp_path, monkeypatch):
    monkeypatch.setattr(fix_harness, "execute", lambda shell, text, cwd: fix_harness.subprocess.CompletedProcess(
        [], 0, stdout="", stderr=""))
    failures = fix_harness.run("bash", tmp_path)
    assert len(failures) == len(fix_harness.CASES)


def test_the_powershell_and_cmd_fixes_the_workflow_runs(tmp_path):
    """What windows.yml executes: a PowerShell fix for every case, a cmd fix for all but the cp1252 one
    (cmd has no byte-safe conversion), each a command that edits the fixture, none starting a container."""
    have = {}
    for case in fix_harness.CASES:
        root = tmp_path / case.name
        root.mkdir()
        fix_harness.build(case, root)
        for dialect in ("powershell", "cmd"):
            text = fix_harness.fix_text(case, fix_harness.findings(case, root, dialect), dialect)
            if text is not None:
                have[(case.name, dialect)] = text
                assert "docker " not in text.replace("dind-doctor ", "")
    assert {name for name, d in have if d == "powershell"} == {c.name for c in fix_harness.CASES}
    assert {name for name, d in have if d == "cmd"} == {c.name for c in fix_harness.CASES} - {"env-cp1252"}
    assert "GetEncoding(1252)" in have[("env-cp1252", "powershell")]  # pwsh 7's Get-Content would read UTF-8
    assert have[("crlf-script", "cmd")] == "dind-doctor check line-endings --fix"
