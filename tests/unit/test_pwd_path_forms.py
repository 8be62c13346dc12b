"""pwd-path-forms: each trap by path, line, column and status, per shell; the volume-argument readers."""
from __future__ import annotations

from pathlib import Path

from test_project_support import HOSTED, SEED, TRAPS, run_check, summary

from dind_doctor.checks.pwd_path_forms import PwdPathForms
from dind_doctor.model import Status
from dind_doctor.project.mount_spec import parse_short
from dind_doctor.project.docker_commands import MountArg, docker_commands

TRAP = TRAPS / "pwd_path_forms"
COMMON = {
    ("warn", "README.md", 4),  # $(pwd):/x in a powershell block
    ("fail", "ps_drive.ps1", 1),  # $PWD:/code
    ("fail", "ps_subexpr.ps1", 1),  # $(pwd):/code
    ("warn", "ps_unquoted.ps1", 3),  # ${pwd}/app unquoted
    ("skip", "ps_unquoted.ps1", 3),  # its live probe: no engine in unit tests
    ("fail", "run.cmd", 2),  # $(pwd) in cmd
    ("warn", "run.cmd", 3),  # %cd% unquoted
    ("warn", "run.sh", 2),  # $(pwd) unquoted in bash
    ("warn", "run.sh", 3),  # ./data relative
    ("fail", "run.sh", 4),  # app/x: a volume name with a slash
}


def test_every_trap_by_path_line_and_status():
    assert summary(run_check(PwdPathForms, TRAP, shell="powershell")) == COMMON


def test_git_bash_adds_path_conversion_warnings():
    found = run_check(PwdPathForms, TRAP, shell="gitbash")
    assert summary(found) == COMMON | {("warn", "run.sh", 4)}  # the same places, plus the /y target
    gitbash = [f for f in found if "Git Bash rewrites" in f.summary]
    assert sorted(f.location.line for f in gitbash) == [2, 3, 4]
    assert "MSYS_NO_PATHCONV=1" in gitbash[0].fixes_for("gitbash")[0].text


def test_messages_and_fixes():
    by_key = {(f.location.path, f.location.line, f.status.value): f for f in run_check(PwdPathForms, TRAP)}
    drive = by_key[("ps_drive.ps1", 1, "fail")]
    assert drive.location.column == 20 and "InvalidVariableReferenceWithDrive" in drive.summary
    assert drive.fixes_for("powershell")[0].text == '-v "${PWD}:/code"'
    split = by_key[("ps_subexpr.ps1", 1, "fail")]
    assert "invalid reference format" in split.detail and split.fixes_for("powershell")[0].text == '-v "${PWD}:/code"'
    cmd = by_key[("run.cmd", 2, "fail")]
    assert cmd.fixes_for("cmd")[0].text == '-v "%cd%:/code"'
    assert by_key[("ps_unquoted.ps1", 3, "warn")].fixes_for("powershell")[0].text == '-v "${pwd}/app:/app"'


def test_a_folder_that_does_not_exist(tmp_path: Path):
    (tmp_path / "run.ps1").write_text('docker run -v "${PWD}/hosted:/x" img\n')
    (warn,) = run_check(PwdPathForms, tmp_path)
    assert warn.status is Status.WARN and "`hosted` that exists neither" in warn.summary


def test_msys_aware_script_is_not_flagged(tmp_path: Path):
    (tmp_path / "run.sh").write_text('# run as MSYS_NO_PATHCONV=1 ./run.sh\ndocker run -v /var/run/docker.sock:/s img\n')
    (ok,) = run_check(PwdPathForms, tmp_path, shell="gitbash")
    assert ok.status is Status.OK


def mounts(text: str, dialect: str) -> list[MountArg]:
    return [m for c in docker_commands(text, dialect) for m in c.mounts]


def test_readers():
    (a,) = mounts("docker run --volume=${PWD}/x:/y img", "powershell")
    assert (a.flag, a.value) == ("--volume", "${PWD}/x:/y")
    (m,) = mounts('sudo docker run --mount "type=bind,src=$PWD/a,dst=/a" img', "bash")
    assert (m.flag, m.value, m.fully_quoted) == ("--mount", "$PWD/a", True)
    assert mounts("Write-Host -v $(pwd):/x", "powershell") == []  # not a docker command
    spec = parse_short("C:\\Users\\me:/x:ro")  # the one mount-spec parser: a drive is not a separator
    assert (spec.source, spec.target, spec.read_only) == ("C:\\Users\\me", "/x", True)


def test_bad_input(tmp_path: Path):
    (tmp_path / "bin.sh").write_bytes(b"\x00\x01docker run -v x:/y")
    (tmp_path / "empty.ps1").write_bytes(b"")
    (tmp_path / "é t.cmd").write_bytes("docker run -v $(pwd):/x img\r\n".encode("utf-16"))
    found = run_check(PwdPathForms, tmp_path)
    assert summary(found) == {("fail", "é t.cmd", 1)}


def test_seed_and_hosted():
    assert summary(run_check(PwdPathForms, SEED)) == {("warn", "run_host.ps1", 5), ("skip", "run_host.ps1", 5)}
    assert {f.status for f in run_check(PwdPathForms, HOSTED)} <= {Status.OK, Status.SKIP}
    assert {f.status for f in run_check(PwdPathForms, HOSTED, shell="gitbash")} <= {Status.OK, Status.SKIP}


def test_a_folder_of_this_container_only_cannot_be_mounted_by_the_hosts_daemon(tmp_path: Path):
    from test_project_support import make_ctx

    from dind_doctor.checks.pwd_path_probe import probe_folder
    from dind_doctor.model import Level, Location
    from dind_doctor.nesting import NestingReport
    from dind_doctor.project.files import ProjectFiles

    ctx = make_ctx(tmp_path)
    report = NestingReport(Level.DOOD, True, "abc", True, False,
                           mounts=({"Type": "volume", "Name": "data", "Destination": str(tmp_path)},))
    ctx.nesting = lambda: report
    fail = probe_folder(PwdPathForms(), ctx, ProjectFiles(tmp_path), tmp_path, Location("run.ps1", 1))
    assert fail.status is Status.FAIL and "exists only inside this container" in fail.summary
    assert "inside the volume data" in fail.evidence["why"]
