"""Reads of the user's project never leave it, never block, never crash: symlinks, FIFOs, names, backups."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from dind_doctor.project.files import ProjectFiles, read_project_file
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
