"""pwd-path-forms at a location only PowerShell can name: a UNC share or a New-PSDrive drive, then `$PWD` (or
`$(pwd)`, `(Get-Location)`, `.Path`) as a bind-mount source. One row per case, citing its source:

- Set-Location (about_Locations; aliases `cd`, `chdir`, `sl`; Push-Location `pushd`): the path is the first
  positional argument, or -Path / -LiteralPath.
- PathInfo (System.Management.Automation.PathInfo): at a UNC location `.Path` and the string of `$PWD` are
  `Microsoft.PowerShell.Core\\FileSystem::\\\\server\\share` (the stock prompt shows it: `PS Microsoft.
  PowerShell.Core\\FileSystem::\\\\server\\share>`), `.ProviderPath` is `\\\\server\\share`; `Convert-Path .`
  gives the provider's path too.
- New-PSDrive: a drive without -Persist exists in PowerShell only (`Proj:\\`); with -Persist and a letter,
  Windows maps it.
"""
from __future__ import annotations

from pathlib import Path

import pytest
from test_project_support import run_check

from dind_doctor.checks.pwd_path_forms import PwdPathForms
from dind_doctor.model import Status
from dind_doctor.project.ps_locations import provider_moves
from dind_doctor.project.shell_words import commands

UNC = "\\\\fileserver\\projects\\app"
RUN = 'docker run --rm -v "${PWD}/src:/app" img\n'

# (id, script, a UNC finding expected, the fix's argument ("" when none))
ROWS = [
    ("Set-Location-UNC", f"Set-Location {UNC}\n{RUN}", True, '-v "$($PWD.ProviderPath)/src:/app"'),
    ("Set-Location-alias-cd", f"cd {UNC}\n{RUN}", True, '-v "$($PWD.ProviderPath)/src:/app"'),
    ("Push-Location-Path-quoted", f"Push-Location -Path '{UNC}'\n{RUN}", True, ""),
    ("Set-Location-LiteralPath-provider-qualified", f"Set-Location -LiteralPath FileSystem::{UNC}\n{RUN}", True, ""),
    ("PathInfo-full-provider-name", f"sl Microsoft.PowerShell.Core\\FileSystem::{UNC}\n{RUN}", True, ""),
    ("PathInfo-pwd-call-split-and-UNC", f"pushd {UNC}\ndocker run --rm -v $(pwd):/app img\n", True,
     '-v "$($PWD.ProviderPath):/app"'),
    ("PathInfo-Path-member-is-provider-qualified-too", f"cd {UNC}\ndocker run -v \"$($PWD.Path):/app\" img\n",
     True, '-v "$($PWD.ProviderPath):/app"'),
    ("PathInfo-ProviderPath-is-the-fix", f"cd {UNC}\ndocker run -v \"$($PWD.ProviderPath):/app\" img\n", False, ""),
    ("Convert-Path-gives-the-provider-path", f"cd {UNC}\ndocker run -v \"$(Convert-Path .):/app\" img\n", False, ""),
    ("Set-Location-after-the-run", f"{RUN}Set-Location {UNC}\n", False, ""),
    ("Set-Location-local-drive", f"Set-Location C:\\work\\app\n{RUN}", False, ""),
    ("New-PSDrive-PowerShell-only-drive",
     f"New-PSDrive -Name Proj -PSProvider FileSystem -Root {UNC}\nSet-Location Proj:\\\n{RUN}", True, ""),
    ("New-PSDrive-Persist-letter-is-a-Windows-drive",
     f"New-PSDrive -Name P -PSProvider FileSystem -Root {UNC} -Persist\nSet-Location P:\\\n{RUN}", False, ""),
]


@pytest.mark.parametrize("row, script, unc, fix", ROWS, ids=[r[0] for r in ROWS])
def test_unc_rows(tmp_path: Path, row, script, unc, fix):
    (tmp_path / "src").mkdir()
    (tmp_path / "run.ps1").write_text(script, encoding="utf-8")
    found = run_check(PwdPathForms, tmp_path)
    flagged = [f for f in found if "docker cannot read" in f.summary]
    assert bool(flagged) == unc, (row, [f.summary for f in found])
    if unc:
        (finding,) = flagged
        assert finding.status is Status.FAIL and finding.location.line == script.count("\n", 0, script.index("docker")) + 1
        assert finding.evidence["location set"].startswith("line ")
        if fix:
            assert finding.fixes_for("powershell")[0].text == fix, row
    # after a move to the share the folder is not this one: no live probe of the project's src/ (without an
    # engine a probe is reported as skipped, so its absence is visible)
    probed = bool([f for f in found if "live mount probe" in f.summary])
    assert probed == (row in STAYS_HERE), row


STAYS_HERE = {"Set-Location-after-the-run", "Set-Location-local-drive", "New-PSDrive-Persist-letter-is-a-Windows-drive"}


def test_the_drive_row_names_the_drive_and_its_root():
    script = f"New-PSDrive -Name Proj -PSProvider FileSystem -Root {UNC}\nSet-Location Proj:\n{RUN}"
    (move,) = provider_moves(commands(script, "powershell"))
    assert move.line == 2 and "`Proj:`" in move.why and UNC in move.why


def test_markdown_block_warns(tmp_path: Path):
    (tmp_path / "README.md").write_text(f"```powershell\ncd {UNC}\n{RUN}```\n", encoding="utf-8")
    (finding,) = [f for f in run_check(PwdPathForms, tmp_path) if "docker cannot read" in f.summary]
    assert finding.status is Status.WARN and "Markdown" in finding.summary


def test_a_script_with_no_share_or_drive_builds_no_command_words(monkeypatch):
    """Speed: the words of every command are built only where a UNC path, a provider name or New-PSDrive
    appears (the docker-command reader builds only the docker commands')."""
    from dind_doctor.project import ps_locations

    built = []
    monkeypatch.setattr(ps_locations, "commands", lambda *a, **k: built.append(a) or [])
    assert ps_locations.moves_in("cd C:\\work\n" + RUN * 50) == [] and built == []
    ps_locations.moves_in(f"cd {UNC}\n{RUN}")
    assert len(built) == 1
