"""line-endings: each trap by path, line and status; --fix keeps every other byte; .gitattributes."""
from __future__ import annotations

from pathlib import Path

from test_project_support import HOSTED, SEED, TRAPS, copy_tree, run_check, summary

from dind_doctor.checks.line_endings import LineEndings, kind_of
from dind_doctor.model import Status

TRAP = TRAPS / "line_endings"


def test_every_trap_by_path_line_and_status():
    found = run_check(LineEndings, TRAP)
    assert summary(found) == {
        ("fail", "entrypoint.sh", 1),
        ("fail", "bom.sh", 1),
        ("fail", "docker/Dockerfile", 1),
        ("warn", "requirements.txt", 1),
        ("warn", "compose.yml", 1),
        ("fail", "tool.py", 1),
        ("warn", "settings.env", 2),
        ("warn", ".gitattributes", None),
    }  # module.py (no shebang) and run.ps1 (runs on Windows) are not files for a Linux container


def test_findings_show_the_invisible():
    by_path = {f.location.path: f for f in run_check(LineEndings, TRAP)}
    entry = by_path["entrypoint.sh"]
    assert entry.summary == "script with CRLF line endings"
    assert entry.evidence["line 1"] == "#!/bin/sh␍" and entry.location.column == 10
    assert "no such file or directory" in entry.detail
    assert by_path["docker/Dockerfile"].summary == "Dockerfile with UTF-16 (UTF-16-LE, BOM) and CRLF line endings"
    assert by_path["requirements.txt"].summary == "requirements file with mixed line endings (1 CRLF, 2 LF)"
    assert "exec format error" in by_path["bom.sh"].detail
    bash = [x.text for x in entry.fixes_for("bash")]
    assert bash == ["sed -i 's/\\r$//' 'entrypoint.sh'"]
    assert "UTF8Encoding $false" in entry.fixes_for("powershell")[0].text


def test_fix_converts_keeps_other_bytes_and_recheck_is_clean(tmp_path: Path):
    project = copy_tree(TRAP, tmp_path / "p")
    fixed = run_check(LineEndings, project, fix=True, tmp=tmp_path)
    assert {f.status for f in fixed} == {Status.OK}
    assert (project / "entrypoint.sh").read_bytes() == b'#!/bin/sh\nset -e\nexec "$@"\n'
    assert (project / "bom.sh").read_bytes() == b"#!/bin/sh\necho hi\n"
    assert (project / "docker/Dockerfile").read_bytes() == b"FROM busybox\nCOPY entrypoint.sh /\n"
    assert (project / "run.ps1").read_bytes() == b"docker ps\r\n"  # not a container file: untouched
    assert (project / "module.py").read_bytes() == b"print(1)\r\n"
    attributes = (project / ".gitattributes").read_text()
    assert "*.sh text eol=lf" in attributes and "Dockerfile text eol=lf" in attributes
    backup = next(f for f in fixed if f.location.path == "entrypoint.sh").evidence["backup"]
    assert Path(backup).read_bytes() == (TRAP / "entrypoint.sh").read_bytes()
    again = run_check(LineEndings, project)
    assert {f.status for f in again} == {Status.OK}, [f.summary for f in again]


def test_gitattributes_forms(tmp_path: Path):
    (tmp_path / "run.sh").write_text("#!/bin/sh\n")
    (tmp_path / "Dockerfile").write_text("FROM x\n")
    (tmp_path / ".gitattributes").write_text("*.sh text eol=lf\nDockerfile -text\n")
    (warn,) = run_check(LineEndings, tmp_path)
    assert warn.evidence["files"] == "Dockerfile"
    (tmp_path / ".gitattributes").write_text("* text=auto eol=lf\n")
    assert {f.status for f in run_check(LineEndings, tmp_path)} == {Status.OK}
    sub = tmp_path / "sub"
    sub.mkdir()
    (sub / "entrypoint").write_text("#!/bin/sh\n")
    (sub / ".gitattributes").write_text("entrypoint eol=crlf\n")
    (warn,) = run_check(LineEndings, tmp_path)
    assert warn.evidence["files"] == "sub/entrypoint"


def test_bad_input(tmp_path: Path):
    (tmp_path / "Dockerfile").write_bytes(b"\x00\x01\x02\x03binary")
    (tmp_path / "run.sh").write_bytes("#!/bin/sh\r\necho caf\xe9\r\n".encode("latin-1"))
    (tmp_path / "empty.sh").write_bytes(b"")
    (tmp_path / ".gitattributes").write_text("* text=auto eol=lf\n")
    found = run_check(LineEndings, tmp_path)
    assert summary(found) == {("warn", "Dockerfile", None), ("fail", "run.sh", 1)}
    run_sh = next(f for f in found if f.location.path == "run.sh")
    assert run_sh.evidence["note"].startswith("not UTF-8")
    fixed = run_check(LineEndings, tmp_path, fix=True, tmp=tmp_path)
    assert (tmp_path / "run.sh").read_bytes() == "#!/bin/sh\necho caf\xe9\n".encode("latin-1")
    assert {f.status for f in fixed} == {Status.OK, Status.WARN}  # the binary Dockerfile stays a warning


def test_kinds():
    assert kind_of(Path("docker-entrypoint"), b"") == "script"
    assert kind_of(Path("x"), b"#!/usr/bin/env python3") == "script"
    assert kind_of(Path("Dockerfile.dev"), b"") == "dockerfile"
    assert kind_of(Path(".env.local"), b"") == "env"
    assert kind_of(Path("requirements-dev.txt"), b"") == "requirements"
    assert kind_of(Path("README.md"), b"#!") is None


def test_seed_and_hosted():
    assert summary(run_check(LineEndings, SEED)) == {("warn", ".gitattributes", None)}
    assert {f.status for f in run_check(LineEndings, HOSTED)} == {Status.OK}


def test_huge_file_is_bounded(tmp_path: Path):
    (tmp_path / ".gitattributes").write_text("* text=auto eol=lf\n")
    (tmp_path / "huge.sh").write_bytes(b"#!/bin/sh\n" + b"echo x\n" * 300_000)  # about 2 MiB
    (warn,) = run_check(LineEndings, tmp_path)
    assert warn.status is Status.WARN and "only the first MiB was checked" in warn.summary
    assert run_check(LineEndings, tmp_path, fix=True, tmp=tmp_path)[0].status is Status.WARN  # never rewritten


def test_append_fixes_quote_for_each_shell(tmp_path: Path):
    from dind_doctor.project.fixers import append_fixes, append_with_backup
    from test_project_support import make_ctx

    by_shell = {f.shell: f.text for f in append_fixes("my dir/.gitignore", ["it's", "a&b"], then="git status")}
    assert by_shell["bash"] == "printf '%s\\n' 'it'\"'\"'s' 'a&b' >> 'my dir/.gitignore' && git status"
    assert by_shell["gitbash"] == by_shell["bash"]
    assert by_shell["powershell"] == "Add-Content -Encoding ascii 'my dir/.gitignore' 'it''s','a&b'; git status"
    assert by_shell["cmd"] == 'echo it\'s>> "my dir/.gitignore" & echo a^&b>> "my dir/.gitignore" & git status'
    target = tmp_path / "p" / ".gitattributes"
    target.parent.mkdir()
    target.write_bytes(b"a\r\nb")
    ctx = make_ctx(tmp_path / "p", tmp=tmp_path)
    backup = append_with_backup(ctx, target, ["c"])
    assert target.read_bytes() == b"a\r\nb\r\nc\r\n" and Path(backup).read_bytes() == b"a\r\nb"
    assert append_with_backup(ctx, tmp_path / "p" / "new", ["x"]) is None


def test_files_that_never_run_in_a_container_are_not_opened(tmp_path: Path, monkeypatch):
    from dind_doctor.project.files import ProjectFiles

    (tmp_path / "run.ps1").write_text("docker ps\r\n")
    (tmp_path / "notes.md").write_text("#!/bin/sh\r\n")
    heads = []
    real = ProjectFiles.head
    monkeypatch.setattr(ProjectFiles, "head", lambda self, path, n=64: heads.append(path.name) or real(self, path, n))
    (skip,) = run_check(LineEndings, tmp_path)
    assert skip.status is Status.SKIP and heads == []


def test_a_data_folder_costs_no_open(tmp_path: Path, monkeypatch):
    """A shebang makes any file a script, but not a data file: 500 CSV files cost 0 opens, the script 1."""
    from dind_doctor.project.files import ProjectFiles

    (tmp_path / "data").mkdir()
    for i in range(500):
        (tmp_path / "data" / f"row{i:03}.csv").write_text("#!/bin/sh\r\n")
    (tmp_path / "run").write_text("#!/bin/sh\r\necho\r\n")
    (tmp_path / "requirements.txt").write_text("click\r\n")  # its name says what it is: no head read
    (tmp_path / "index.html").write_text("#!/bin/sh\r\n")
    heads = []
    real = ProjectFiles.head
    monkeypatch.setattr(ProjectFiles, "head", lambda self, path, n=64: heads.append(path.name) or real(self, path, n))
    findings = run_check(LineEndings, tmp_path)
    assert heads == ["run"]
    where = {f.location.path: f.status for f in findings if f.location}
    assert where["run"] is Status.FAIL and where["requirements.txt"] is Status.WARN and "index.html" not in where
