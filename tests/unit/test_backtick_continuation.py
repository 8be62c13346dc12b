"""backtick-continuation: each trap by path, line, column and status; --fix, then a clean re-check."""
from __future__ import annotations

from pathlib import Path

from test_project_support import HOSTED, SEED, TRAPS, copy_tree, make_ctx, run_check, summary

from dind_doctor.checks.backtick_continuation import BacktickContinuation
from dind_doctor.model import Status

TRAP = TRAPS / "backtick"


def test_every_trap_by_path_line_and_status():
    found = run_check(BacktickContinuation, TRAP)
    assert summary(found) == {
        ("fail", "trailing_space.ps1", 3),
        ("fail", "trailing_tab.ps1", 1),
        ("fail", "bash_backslash.ps1", 1),
        ("fail", "bash_backslash.ps1", 2),
        ("fail", "cmd_caret.ps1", 1),
        ("warn", "dangling.ps1", 1),
        ("warn", "README.md", 6),  # the powershell block; the bash block's backticks are not PowerShell
    }


def test_trailing_space_finding_says_what_runs():
    (f,) = [f for f in run_check(BacktickContinuation, TRAP) if f.location.path == "trailing_space.ps1"]
    assert f.location.column == 51
    assert f.summary == "backtick followed by 1 space: the command ends at line 3"
    assert f.evidence["line"] == "    -v //var/run/docker.sock:/var/run/docker.sock `·"
    assert f.evidence["runs"] == "docker run -it --rm -v //var/run/docker.sock:/var/run/docker.sock"
    assert f.evidence["then runs alone"].startswith('-v "${PWD}/hosted')
    assert "The term '-v' is not recognized" in f.detail
    assert f.fixes and "--fix" in f.fixes[0].text


def test_tab_is_named():
    (f,) = [f for f in run_check(BacktickContinuation, TRAP) if f.location.path == "trailing_tab.ps1"]
    assert "1 tab" in f.summary and f.evidence["line"].endswith("`→")


def test_strings_here_strings_and_comments_are_left_alone(tmp_path: Path):
    (tmp_path / "clean.ps1").write_bytes((TRAP / "clean_strings.ps1").read_bytes())
    (f,) = run_check(BacktickContinuation, tmp_path)
    assert f.status is Status.OK


def test_fix_removes_only_the_whitespace_and_recheck_is_clean(tmp_path: Path):
    project = copy_tree(TRAP, tmp_path / "p")
    before = {p.name: p.read_bytes() for p in project.iterdir()}
    fixed = list(BacktickContinuation().run(make_ctx(project, fix=True, tmp=tmp_path)))
    ok = {f.location.path for f in fixed if f.status is Status.OK}
    assert ok == {"trailing_space.ps1", "trailing_tab.ps1", "README.md"}
    assert (project / "trailing_space.ps1").read_bytes() == before["trailing_space.ps1"].replace(b"` \n", b"`\n")
    assert (project / "README.md").read_bytes() == before["README.md"].replace(b"`  \n", b"`\n")
    backup = Path(next(f for f in fixed if f.location.path == "README.md").evidence["backup"])
    assert backup.read_bytes() == before["README.md"] and tmp_path / "backups" in backup.parents
    again = run_check(BacktickContinuation, project)
    assert not any(f.location.path in ok for f in again if f.location)
    assert (project / "clean_strings.ps1").read_bytes() == before["clean_strings.ps1"]


def test_fix_keeps_utf16_and_bom(tmp_path: Path):
    script = tmp_path / "run.ps1"
    script.write_bytes(b"\xff\xfe" + "docker ps ` \r\n  -a\r\n".encode("utf-16-le"))
    list(BacktickContinuation().run(make_ctx(tmp_path, fix=True, tmp=tmp_path)))
    assert script.read_bytes() == b"\xff\xfe" + "docker ps `\r\n  -a\r\n".encode("utf-16-le")


def test_bad_input_is_a_finding(tmp_path: Path):
    (tmp_path / "binary.ps1").write_bytes(b"MZ\x00\x00\x90\x00")
    (tmp_path / "empty.ps1").write_bytes(b"")
    (tmp_path / "latin.ps1").write_bytes("Write-Host 'été' `  \n  -x\n".encode("latin-1"))
    found = run_check(BacktickContinuation, tmp_path)
    assert summary(found) == {("warn", "binary.ps1", None), ("fail", "latin.ps1", 1)}
    assert "binary" in next(f for f in found if f.location.path == "binary.ps1").summary


def test_seed_and_hosted():
    assert summary(run_check(BacktickContinuation, SEED)) == {("ok", None, None)}
    assert {f.status for f in run_check(BacktickContinuation, HOSTED)} == {Status.OK}
