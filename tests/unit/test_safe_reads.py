"""Reads of the user's project never leave it, never block, never crash: symlinks, FIFOs, names, backups."""
from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from dind_doctor.project.files import ProjectFiles
from dind_doctor.project.file_text import read_project_file
from dind_doctor.project.safe_open import open_regular, printable, real_root

SECRET = "ZZ-OUTSIDE-SECRET-7f3a9c"
posix_only = pytest.mark.skipif(os.name == "nt", reason="symlinks and FIFOs as on POSIX")


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A file outside the project (tmp_path/project) holding a distinctive string."""
    target = tmp_path / "elsewhere" / "shadow"
    target.parent.mkdir()
    target.write_text(f"root:{SECRET}:19000:0:99999:7:::\n")
    return target


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    root.mkdir()
    return root


@posix_only
def test_symlink_out_of_the_project_is_refused_not_read(project: Path, outside: Path):
    (project / ".env").symlink_to(outside)
    (project / "run.ps1").symlink_to(os.path.relpath(outside, project))  # relative links too
    files = ProjectFiles(project)
    for name in (".env", "run.ps1"):
        got = files.read(project / name)
        assert got.refused == "symlink-outside" and not got.usable and got.raw == b"" and SECRET not in got.text
        assert files.head(project / name) == b""
    assert {(s.path.name, s.kind) for s in files.special} == {(".env", "symlink-outside"),
                                                            ("run.ps1", "symlink-outside")}
    assert files.reads == 0  # nothing was opened


@posix_only
def test_symlink_through_a_linked_folder_is_refused(project: Path, outside: Path):
    (project / "conf").symlink_to(outside.parent, target_is_directory=True)
    got = read_project_file(project, project / "conf" / "shadow")
    assert got.refused == "symlink-outside" and SECRET not in got.text


@posix_only
def test_symlink_inside_the_project_is_read(project: Path):
    (project / "real.env").write_text("A=1\n")
    (project / ".env").symlink_to("real.env")
    files = ProjectFiles(project)
    assert files.read(project / ".env").text == "A=1\n"
    assert project / ".env" in files.paths and files.special == []


def test_a_file_outside_named_directly_is_refused(project: Path, outside: Path):
    got = ProjectFiles(project).read(outside)
    assert got.refused == "outside" and SECRET not in got.text


@posix_only
@pytest.mark.parametrize("name", [".env", "docker-compose.yml"])
def test_fifo_is_reported_never_opened(project: Path, name: str):
    os.mkfifo(project / name)
    files = ProjectFiles(project)  # a blocking open would hang here or below: pytest's own run would stall
    got = files.read(project / name)
    assert got.refused == "fifo" and "FIFO" in (got.problem or "")
    assert files.special[0].kind == "fifo" and files.head(project / name) == b""
    assert not files.is_file(project / name)


@posix_only
def test_socket_is_reported(project: Path):
    import socket

    sock = socket.socket(socket.AF_UNIX)
    try:
        sock.bind(str(project / "agent.sock"))
        assert ProjectFiles(project).read(project / "agent.sock").refused == "socket"
    finally:
        sock.close()


@posix_only
def test_open_refuses_a_link_swapped_in_after_the_check(project: Path, outside: Path, monkeypatch):
    """The O_NOFOLLOW open (or the /proc/self/fd check) refuses what classify() no longer sees."""
    target = project / "a.env"
    target.write_text("A=1\n")
    from dind_doctor.project import safe_open

    real_classify = safe_open.classify

    def swapped(root_real: str, path: Path | str) -> tuple[str, str | None]:
        answer = real_classify(root_real, path)
        target.unlink()
        target.symlink_to(outside)
        return answer

    monkeypatch.setattr(safe_open, "classify", swapped)
    got = open_regular(real_root(project), target)
    assert not isinstance(got, int), "the swapped-in link was opened"


def test_printable_names():
    bad = os.fsdecode(b"caf\xe9\n.env")
    assert printable(bad) == "caf\\xe9\\x0a.env"
    assert printable("Mes Documents/été.env") == "Mes Documents/été.env"
    printable(bad).encode("utf-8")  # no surrogate left


@pytest.mark.skipif(os.name == "nt" or os.uname().sysname == "Darwin", reason="byte names need a POSIX fs")
def test_invalid_utf8_names_are_walked_and_printable(project: Path):
    (project / os.fsdecode(b"caf\xe9.env")).write_bytes(b"A=1\n")
    files = ProjectFiles(project)
    got = files.read(files.paths[0])
    assert got.text == "A=1\n" and got.rel == "caf\\xe9.env"
    got.rel.encode("utf-8")


# -- the command line, every output mode: the outside content never shows, nothing blocks ---------------
def _dind_doctor(*args: str, env: dict[str, str] | None = None, timeout: float = 120) -> "subprocess.CompletedProcess[str]":
    """dind-doctor in a child with a hard timeout (a regression that blocks fails instead of hanging);
    no engine (an unreachable socket), so only the project's files are in play."""
    import sys

    full = {**os.environ, "DOCKER_HOST": "unix:///nonexistent/dind-doctor-test.sock", **(env or {})}
    return subprocess.run([sys.executable, "-m", "dind_doctor", *args], capture_output=True, text=True,
                          timeout=timeout, env=full, stdin=subprocess.DEVNULL)


@posix_only
def test_no_output_mode_shows_a_file_outside_the_project(project: Path, outside: Path):
    outside.write_bytes(f"AWS_SECRET_ACCESS_KEY={SECRET}\r\nexport B = 1\n".encode())  # CRLF, bad lines: quotable
    (project / ".env").symlink_to(outside)
    (project / "run.ps1").symlink_to(outside)
    (project / "compose.yaml").write_text("services:\n  app:\n    image: x\n    env_file: .env\n")
    os.mkfifo(project / "prod.env")
    for mode in (["--format", "json"], ["-v"], ["--format", "table"], ["--fix", "-v"]):
        got = _dind_doctor("check", "--project", str(project), *mode)
        assert "Traceback" not in got.stderr
        assert SECRET not in got.stdout + got.stderr, mode
        assert "symlink that points outside the project" in got.stdout and "FIFO" in got.stdout
    assert (project / ".env").is_symlink() and (project / "run.ps1").is_symlink()  # --fix left the links
    assert SECRET in outside.read_text() and b"\r\n" in outside.read_bytes()  # and the target unchanged


def test_fifo_named_like_a_compose_file_and_env_does_not_block_check(project: Path):
    if os.name == "nt":
        pytest.skip("FIFOs are POSIX")
    os.mkfifo(project / "docker-compose.yml")
    os.mkfifo(project / ".env")
    got = _dind_doctor("check", "--project", str(project), "--format", "json", timeout=60)
    assert "Traceback" not in got.stderr
    assert got.stdout.count("FIFO") >= 2


# -- --fix: never through a link, backups never under the project ----------------------------------------
def _fix_ctx(project: Path, **env: str):  # -> Context
    from dind_doctor.context import Context

    return Context(project=project, shell="bash", env={"PATH": os.environ.get("PATH", ""), **env})


@posix_only
def test_fix_never_writes_through_or_replaces_a_symlink(project: Path, outside: Path):
    from dind_doctor.project.fixers import FixError, append_with_backup, write_with_backup

    inner = project / "real.sh"
    inner.write_text("echo 1\r\n")
    (project / "in.sh").symlink_to("real.sh")
    (project / ".env").symlink_to(outside)
    ctx = _fix_ctx(project, HOME=str(project.parent / "home"))
    for link in (project / "in.sh", project / ".env"):
        with pytest.raises(FixError, match="symlink"):
            write_with_backup(ctx, link, b"x\n")
        with pytest.raises(FixError, match="symlink"):
            append_with_backup(ctx, link, ["x"])
        assert link.is_symlink()
    assert SECRET in outside.read_text() and inner.read_bytes() == b"echo 1\r\n"


@posix_only
def test_fix_refuses_a_fifo(project: Path):
    from dind_doctor.project.fixers import FixError, write_with_backup

    os.mkfifo(project / ".env")
    with pytest.raises(FixError, match="FIFO"):
        write_with_backup(_fix_ctx(project, HOME=str(project.parent)), project / ".env", b"A=1\n")


@pytest.mark.parametrize("where", ["HOME", "DIND_DOCTOR_BACKUP_DIR", "XDG_CACHE_HOME"])
def test_backups_never_land_under_the_project(project: Path, where: str, monkeypatch):
    from dind_doctor.project.fixers import write_with_backup

    monkeypatch.setenv("TMPDIR", str(project / "tmp"))  # even the temp folder is inside: next candidate
    (project / "tmp").mkdir()
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", None)
    target = project / ".env"
    target.write_bytes(b"A=1\r\n")
    env = {"HOME": str(project), where: str(project / ".cache")}
    backup = write_with_backup(_fix_ctx(project, **env), target, b"A=1\n")
    assert backup is not None and target.read_bytes() == b"A=1\n"
    assert not Path(os.path.realpath(backup)).is_relative_to(os.path.realpath(project))
    assert Path(backup).read_bytes() == b"A=1\r\n" and (Path(backup).stat().st_mode & 0o077) == 0
    assert not any(p.name == ".env" for p in project.rglob("*") if p != target)


@posix_only
def test_backup_dir_linked_into_the_project_is_not_used(project: Path, tmp_path: Path):
    from dind_doctor.project.fixers import backup_root

    (tmp_path / "bk").symlink_to(project, target_is_directory=True)
    root = backup_root(_fix_ctx(project, DIND_DOCTOR_BACKUP_DIR=str(tmp_path / "bk"), HOME=str(tmp_path / "h")))
    assert not os.path.realpath(root).startswith(os.path.realpath(project))


# -- levels reads .env files in any encoding --------------------------------------------------------------
@pytest.mark.parametrize("raw", [
    "\ufeffA_KEY=1\r\nB_KEY=é\r\n".encode("utf-16-le"), "A_KEY=1\nB_KEY=é\n".encode("utf-16-be"),
    "A_KEY=1\nB_KEY=é\n".encode("utf-16"), "A_KEY=1\nB_KEY=caf\xe9\n".encode("latin-1"),
    b"\xef\xbb\xbfA_KEY=1\nB_KEY=x\n", b"\x00\x01\x02binary",
])
def test_levels_reads_env_files_in_any_encoding(project: Path, raw: bytes):
    from dind_doctor.levels import walk as levels_walk
    from dind_doctor.project.compose_loader import ComposeLoader
    from dind_doctor.project.files import ProjectFiles

    (project / ".env").write_bytes(raw)
    compose_file = project / "compose.yaml"
    compose_file.write_text("services: {}\n")
    expected = [] if b"binary" in raw else ["A_KEY", "B_KEY"]
    if b"\x00A\x00" in raw or b"A\x00_\x00" in raw:  # UTF-16: compose cannot read it, the walk says so
        with pytest.raises(levels_walk.WalkError, match="UTF-16"):
            levels_walk._keys_of(project, project / ".env")
    else:
        assert levels_walk._keys_of(project, project / ".env") == expected
    assert sorted(ComposeLoader(ProjectFiles(project), {}).dotenv(project)) == expected  # the one compose model


@posix_only
def test_compose_is_never_handed_a_fifo(project: Path):
    """levels asks `docker compose config` only when every file compose reads is a regular file: a FIFO
    .env would block compose (and leave it running after dind-doctor exits)."""
    from dind_doctor.compose_cli import refine
    from dind_doctor.project.compose_loader import ComposeLoader
    from dind_doctor.project.files import ProjectFiles

    compose_file = project / "compose.yaml"
    compose_file.write_text("services:\n  app:\n    image: x\n")
    os.mkfifo(project / ".env")
    raw_model = ComposeLoader(ProjectFiles(project), {}).project(compose_file)
    model = refine(raw_model, {"PATH": os.environ.get("PATH", "")}, 10.0)
    assert model.notes and "not run" in model.notes[0] and "FIFO" in model.notes[0]


# -- large projects: what matters first, bounded work, and a finding when the walk stopped ----------------
def test_walk_of_100k_files_keeps_what_matters_and_says_where_it_stopped(tmp_path: Path):
    root = tmp_path / "big"
    data = root / "data"
    for shard in range(100):
        folder = data / f"s{shard:02}"
        folder.mkdir(parents=True)
        for i in range(1000):
            os.close(os.open(folder / f"row{i:04}.csv", os.O_CREAT | os.O_WRONLY, 0o644))
    deep = root / "a" / "b" / "c" / "d" / "svc"
    deep.mkdir(parents=True)
    for name in ("docker-compose.yml", "Dockerfile", "run.ps1", ".env"):
        (deep / name).write_text("x\n")
    (root / ".git" / "objects").mkdir(parents=True)
    (root / ".git" / "objects" / "compose.yaml").touch()  # never a project file
    files = ProjectFiles(root)
    kept = {files.rel(p) for p in files.paths}
    assert {f"a/b/c/d/svc/{n}" for n in ("docker-compose.yml", "Dockerfile", "run.ps1", ".env")} <= kept
    assert files.rel(files.paths[0]).startswith("a/b/c/d/svc/")  # best ranked first
    assert not any(k.startswith(".git/") for k in kept)
    assert len(files.paths) == files.max_files and files.reads == 0  # names only: no file opened
    stop = files.stop
    assert stop is not None and stop.files_seen == 100_004 and stop.files_dropped == 100_004 - files.max_files
    assert stop.dropped_under == [("data", stop.files_dropped)]

    from checks.project_files import ProjectFilesCheck
    from dind_doctor.context import Context

    ctx = Context(project=root, shell="bash")
    found = [f for f in ProjectFilesCheck().run(ctx) if "stopped early" in f.summary]
    assert len(found) == 1 and "data/" in found[0].summary and "95004 of 100004" in found[0].summary


def test_walk_stops_at_the_entry_budget_and_says_where(tmp_path: Path):
    for i in range(50):
        (tmp_path / f"d{i:02}").mkdir()
        for j in range(10):
            (tmp_path / f"d{i:02}" / f"f{j}").touch()
    files = ProjectFiles(tmp_path, max_entries=200)
    assert files.stop is not None and files.stop.stopped_at is not None
    assert files.stop.entries_seen <= 200


def test_a_50_mib_script_is_read_in_its_first_mib_and_reported_not_read_whole(project: Path):
    from checks.project_files import ProjectFilesCheck
    from dind_doctor.context import Context
    from dind_doctor.project.file_text import MAX_BYTES

    script = project / "run.ps1"
    line = b"docker run --rm -v ${PWD}:/app img `\r\n"
    with open(script, "wb") as fh:
        for _ in range(25 * 1024 * 1024 // len(line)):
            fh.write(b"Write-Host 'padding line of a generated script'\r\n"[: len(line)].ljust(len(line) - 2) + b"\r\n")
        fh.write(b"docker run --rm `  \r\n  -v x:/y img\r\n")  # the broken backtick, 25 MiB in
        fh.truncate(50 * 1024 * 1024)
    ctx = Context(project=project, shell="bash")
    files = ProjectFiles(project)
    got = files.read(script)
    assert got.truncated and len(got.raw) == MAX_BYTES and got.size == 50 * 1024 * 1024
    found = ProjectFilesCheck().run(ctx)
    assert any(f.location and f.location.path == "run.ps1" and "NOT read whole" in f.summary
               and f.status.value == "warn" for f in found)


@pytest.mark.skipif(os.name == "nt" or os.uname().sysname == "Darwin", reason="byte names need a POSIX fs")
def test_invalid_utf8_names_in_every_output_mode_and_under_fix(project: Path):
    (project / os.fsdecode(b"caf\xe9.env")).write_bytes(b"A=1\r\n")
    (project / os.fsdecode(b"d\xff")).mkdir()
    (project / os.fsdecode(b"d\xff/run\xe9.sh")).write_bytes(b"#!/bin/sh\r\necho\r\n")
    (project / "compose.yaml").write_text("services:\n  app:\n    image: x\n    env_file: .env\n")
    (project / ".env").write_text("A=1\n")
    (project / "Dockerfile").write_text("FROM x\nCOPY . /app\n")
    for mode in (["--format", "json"], ["-v"], ["--fix", "-v"]):
        got = _dind_doctor("check", "--project", str(project), *mode, env={"HOME": str(project.parent / "h")})
        assert "Traceback" not in got.stderr and "crashed" not in got.stdout, got.stdout
        assert "caf\\xe9.env" in got.stdout.replace("\\\\", "\\"), mode  # JSON escapes the backslash
    assert (project / ".dockerignore").read_bytes().endswith(b"**/caf\xe9.env\n")  # the name's own bytes


@posix_only
@pytest.mark.parametrize("swap", ["link", "fifo", "parent-link"])
def test_a_walked_file_swapped_before_the_read_is_refused(project: Path, outside: Path, swap: str):
    """The walk saw a regular file; by the time a check reads it, it is a link out, a FIFO, or its folder
    is a link out: the direct open (O_NOFOLLOW|O_NONBLOCK, fstat, /proc/self/fd) refuses each."""
    folder = project / "conf"
    folder.mkdir()
    target = folder / "shadow"
    target.write_text("A=1\n")
    files = ProjectFiles(project)
    assert files.paths == [target]
    if swap == "link":
        target.unlink()
        target.symlink_to(outside)
    elif swap == "fifo":
        target.unlink()
        os.mkfifo(target)
    else:
        folder.rename(project / "old")
        folder.symlink_to(outside.parent, target_is_directory=True)
    got = files.read(target)
    assert got.refused in ("symlink-outside", "fifo") and SECRET not in got.text and files.head(target) == b""


@posix_only
def test_config_linked_out_of_the_project_is_refused(project: Path, outside: Path):
    from dind_doctor.config import ConfigError, load

    outside.write_text(f'[tool.dind-doctor]\nskip = ["{SECRET}"]\n')
    (project / ".dind-doctor.toml").symlink_to(outside)
    with pytest.raises(ConfigError) as raised:
        load(project, {})
    assert "outside the project" in str(raised.value) and SECRET not in str(raised.value)


@posix_only
def test_a_fifo_baseline_is_an_error_not_a_hang(project: Path):
    os.mkfifo(project / "baseline.json")
    got = _dind_doctor("check", "--project", str(project), "--static", "--baseline", str(project / "baseline.json"),
                       timeout=60)
    assert "Traceback" not in got.stderr and "FIFO" in got.stdout + got.stderr and got.returncode != 0


def test_continuation_problems_on_a_huge_line_are_found_in_one_pass(monkeypatch):
    """A 20,000-word PowerShell line: what follows a token on its line is looked at only for the tokens a problem
    may be reported at (it was rescanned per token: quadratic; then precomputed for every token). Counted: the
    tokens those looks visit, a handful here, and on lines made of such tokens at most once each per kind of
    look (three), growing linearly."""
    from dind_doctor.project import ps_continuations, pstokens

    looks: list[ps_continuations._LineAhead] = []

    class Counted(ps_continuations._LineAhead):
        def __init__(self, tokens: list) -> None:
            super().__init__(tokens)
            looks.append(self)

    monkeypatch.setattr(ps_continuations, "_LineAhead", Counted)
    text = "docker run " + "-e X=1 " * 20000 + "` \n  img\n"
    found = ps_continuations.continuation_problems(text)
    assert [(p.kind, p.line) for p in found] == [("trailing-space", 1)]
    assert len(looks) == 1 and looks[0].visits <= 5
    for piece in ("a` ", "a` <#c#> ", "a`` ", "--% x` |", "\\ <#c#> ", "` <#c#> <#d#> ` \t", "`\n\n"):
        visits = []
        for k in (1000, 2000, 4000):
            looks.clear()
            text = "docker run " + piece * k + "\n"
            ps_continuations.continuation_problems(text)
            visits.append(looks[0].visits)
            assert looks[0].visits <= 3 * len(pstokens.tokenize(text)), piece
        assert visits[2] - visits[1] <= 2.5 * (visits[1] - visits[0]) + 10, piece


@posix_only
def test_run_reference_work_copy_skips_fifos_and_links_out(tmp_path: Path, outside: Path):
    from dind_doctor.reference.project import make_work_copy

    module = tmp_path / "module"
    (module / "app").mkdir(parents=True)
    (module / "docker-compose.yml").write_text("services: {}\n")
    (module / "app" / "main.py").write_text("print(1)\n")
    (module / "app" / "same.py").symlink_to("main.py")  # inside: copied as the file
    (module / "app" / "leak.txt").symlink_to(outside)
    os.mkfifo(module / "app" / "pipe")
    work = make_work_copy(module, "docker-compose.yml")
    try:
        copied = {p.name for p in (work.project / "app").iterdir()}
        assert copied == {"main.py", "same.py"}
        assert not any(SECRET in p.read_text() for p in work.project.rglob("*") if p.is_file())
    finally:
        import shutil

        shutil.rmtree(work.root)


def test_reads_stop_at_the_run_budget_and_say_so(project: Path):
    """Memory stays bounded however many large files the checks ask for: past the budget a read is a
    refusal that names the budget, never an open."""
    for i in range(4):
        (project / f"s{i}.sh").write_bytes(b"#" * 600_000)
    files = ProjectFiles(project, max_total_bytes=1_000_000)
    got = [files.read(p) for p in sorted(files.paths)]
    assert [g.refused for g in got] == [None, None, "budget", "budget"] and files.reads == 2
    assert "read budget" in (got[2].problem or "") and files.over_budget == sorted(files.paths)[2:]
