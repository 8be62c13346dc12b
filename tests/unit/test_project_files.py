"""The bounded walk and the decoding of bad input: never an exception, always a fact."""
from __future__ import annotations

import codecs
import os
from pathlib import Path

import pytest

from dind_doctor.project import files as files_mod
from dind_doctor.project import safe_open
from dind_doctor.project.files import ProjectFiles
from dind_doctor.project.file_text import decode, looks_utf16, read_file, visible


def test_walk_skips_vcs_venvs_and_caches(tmp_path: Path):
    for rel in (".git/config", "node_modules/x/index.js", "venv2/lib/x.py", "__pycache__/a.pyc", "app/run.sh",
                "deep/er/Dockerfile"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("x")
    (tmp_path / "venv2/pyvenv.cfg").write_text("home = /usr")
    found = {ProjectFiles(tmp_path).rel(p) for p in ProjectFiles(tmp_path).paths}
    assert found == {"app/run.sh", "deep/er/Dockerfile"}


def test_a_venv_is_skipped_wherever_it_sits_and_never_reported(tmp_path: Path):
    import subprocess

    (tmp_path / "pyvenv.cfg").write_text("home = /usr")  # the project itself may be one: it is still walked
    (tmp_path / "run.sh").write_text("x")
    deep = tmp_path.joinpath(*[f"d{i}" for i in range(12)], "venv-below-the-depth-limit")
    ignored = tmp_path / "env311"  # a venv git ignores: skipped, not listed among the ignored folders
    for venv in (deep, ignored):
        (venv / "bin").mkdir(parents=True)
        (venv / "pyvenv.cfg").write_text("home = /usr")
        (venv / "bin" / "activate.ps1").write_text("x")
    (tmp_path / ".gitignore").write_text("env311/\n")
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True, timeout=30)
    walked = ProjectFiles(tmp_path)
    assert {walked.rel(p) for p in walked.paths} == {"run.sh", ".gitignore", "pyvenv.cfg"}
    assert walked.ignored is None and walked.stop is None  # nothing "not checked", nothing "too deep"


def test_walk_never_enters_the_kernel_pseudo_filesystems():
    # `check` run from a container's root (project `/`): /proc/kmsg is a "regular" file that blocks on read.
    from dind_doctor.project.walk import skipped_dir

    entries = {e.path: e for e in os.scandir("/")}
    assert all(skipped_dir(entries[p]) for p in ("/proc", "/sys", "/dev") if p in entries)
    assert not skipped_dir(entries["/etc"])


def test_walk_is_bounded(tmp_path: Path):
    for i in range(30):
        (tmp_path / f"f{i:02}.sh").write_text("x")
    walked = ProjectFiles(tmp_path, max_files=10)
    assert len(walked.paths) == 10 and walked.truncated_walk


def test_reads_each_file_once(tmp_path: Path):
    target = tmp_path / "a.sh"
    target.write_text("echo 1\n")
    walked = ProjectFiles(tmp_path)
    first = walked.read(target)
    target.write_text("changed\n")
    assert walked.read(target) is first


@pytest.mark.parametrize("raw, encoding, bom", [
    (b"echo hi\n", "utf-8", False),
    (codecs.BOM_UTF8 + b"echo hi\n", "utf-8-sig", True),
    (codecs.BOM_UTF16_LE + "echo hi\r\n".encode("utf-16-le"), "utf-16-le", True),
    ("echo hi\r\n".encode("utf-16-le"), "utf-16-le", False),
    (codecs.BOM_UTF16_BE + "echo hi\n".encode("utf-16-be"), "utf-16-be", True),
])
def test_decoding(raw, encoding, bom):
    got = decode(Path("x"), "x", raw, len(raw), False)
    assert (got.encoding, got.bom, got.problem) == (encoding, bom, None)
    assert got.text.rstrip("\r\n") == "echo hi"


def test_binary_non_utf8_empty_and_truncated(tmp_path: Path):
    binary = decode(Path("x"), "x", b"\x7fELF\x00\x00\x01", 7, False)
    assert binary.problem.startswith("binary") and not binary.usable
    latin = decode(Path("x"), "x", "a=1\nb=caf\xe9\n".encode("latin-1"), 11, False)
    assert latin.problem == "not UTF-8: byte 0xe9 at line 2" and latin.usable and latin.bad_byte_line == 2
    empty = decode(Path("x"), "x", b"", 0, False)
    assert empty.text == "" and empty.problem is None
    big = tmp_path / "big.sh"
    big.write_bytes(b"#" * 100 + "é".encode() * 10)
    head = read_file(big, "big.sh", limit=101)  # the cut falls inside a two-byte character
    assert head.truncated and head.problem is None and head.size == 120


def _read_as_nobody(target: Path) -> str:
    """read_file's problem, as seen by an unprivileged user: root reads everything, so as root (CI)
    the read runs in a forked child that has dropped to uid 65534."""
    if os.geteuid() != 0:
        return read_file(target, target.name).problem or ""
    reader, writer = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: drop privileges, read, report, exit without running pytest's teardown
        try:
            os.setgid(65534)
            os.setuid(65534)
            os.write(writer, (read_file(target, target.name).problem or "").encode())
        finally:
            os._exit(0)
    os.close(writer)
    with os.fdopen(reader) as fh:
        problem = fh.read()
    os.waitpid(pid, 0)
    return problem


@pytest.mark.skipif(os.name == "nt", reason="POSIX permissions")
def test_unreadable(tmp_path: Path):
    target = tmp_path / "secret.env"
    target.write_text("A=1")
    target.chmod(0)
    assert _read_as_nobody(target).startswith("unreadable")


def test_unreadable_missing(tmp_path: Path):
    assert read_file(tmp_path / "gone", "gone").problem.startswith("unreadable")


def test_looks_utf16_leaves_ascii_alone():
    assert looks_utf16(b"plain ascii text") is None


def test_visible():
    assert visible(" \t\r\ufeff") == "·→␍[BOM]"


def test_paths_with_spaces_and_accents(tmp_path: Path):
    folder = tmp_path / "Mes Documents" / "projet été"
    folder.mkdir(parents=True)
    (folder / "run host.ps1").write_text("docker ps\n", encoding="utf-8")
    walked = ProjectFiles(tmp_path)
    assert walked.rel(walked.paths[0]) == "Mes Documents/projet été/run host.ps1"


def test_project_files_is_cached_per_context(tmp_path: Path):
    from dind_doctor.context import Context

    ctx = Context(project=tmp_path, shell="bash")
    assert files_mod.project_files(ctx) is files_mod.project_files(ctx)


def test_permission_denied_is_a_problem_not_an_exception(tmp_path: Path, monkeypatch):
    target = tmp_path / "secret.env"
    target.write_text("A=1")

    def denied(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(safe_open.os, "open", denied)  # the one place a project file is opened
    got = read_file(target, "secret.env")
    assert got.problem == "unreadable: Permission denied" and not got.usable


def test_head_reuses_the_cache(tmp_path: Path, monkeypatch):
    (tmp_path / "run").write_bytes(b"#!/bin/sh\necho hi\n")
    walked = ProjectFiles(tmp_path)
    path = walked.paths[0]
    assert walked.head(path, 4) == b"#!/b"  # not read yet: a short read, nothing cached
    walked.read(path)

    def no_open(*args, **kwargs):
        raise AssertionError("read again")

    assert walked.head(tmp_path / "gone") == b""
    monkeypatch.setattr(files_mod, "open", no_open, raising=False)
    assert walked.head(path) == b"#!/bin/sh\necho hi\n"
