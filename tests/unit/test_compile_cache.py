"""The compile cache (compile_cache.py): the program's own patterns and record __init__s kept compiled
between runs, never a pattern built from what a run read, and never a file that someone else could have
written. The program runs as a child process, as a user runs it: only its entry point installs the cache."""
import marshal
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from dind_doctor import compile_cache
from dind_doctor.compile_cache import ENV, Store, _read, cache_folder, code_wrote

SEED = Path(__file__).resolve().parents[1] / "fixtures" / "seed_project"
WRITES = sys.version_info >= (3, 11)  # 3.10 has no re._compiler: the program compiles as it always did


def child_env(folder: Path | str, **more: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    return {**env, ENV: str(folder), **more}


def program(folder: Path | str, *args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "dind_doctor", *args], capture_output=True, text=True,
                          timeout=120, env=child_env(folder, **env))


def cache_file(folder: Path) -> Path:
    (found,) = folder.glob("compiled-*.marshal")
    return found


def entries(folder: Path) -> tuple[dict, dict]:
    header, patterns, sources = marshal.loads(cache_file(folder).read_bytes())
    return patterns, sources


@pytest.mark.skipif(not WRITES, reason="Python 3.10: no cache")
def test_a_second_run_finds_everything_it_compiles_and_prints_the_same(tmp_path):
    folder = tmp_path / "cache"
    args = ("check", "--static", "--project", str(SEED), "--format", "json")
    first = program(folder, *args)
    assert first.returncode in (0, 1), first.stderr
    written = cache_file(folder)
    assert oct(written.stat().st_mode & 0o777) == "0o600" and oct(folder.stat().st_mode & 0o777) == "0o700"
    before = written.stat()
    second = program(folder, *args)
    without = program("", *args)  # DIND_DOCTOR_CACHE_DIR empty: no cache at all
    assert first.stdout == second.stdout == without.stdout and second.returncode == first.returncode
    # nothing new was compiled and kept, so nothing was written again: every pattern and __init__ was found
    assert written.stat().st_mtime_ns == before.st_mtime_ns and written.stat().st_ino == before.st_ino
    patterns, sources = entries(folder)
    assert len(patterns) > 50 and len(sources) > 20


@pytest.mark.skipif(not WRITES, reason="Python 3.10: no cache")
def test_every_kept_program_is_the_one_python_compiles(tmp_path):
    import _sre

    assert program(tmp_path, "check", "--static", "--project", str(SEED)).returncode in (0, 1)
    patterns, sources = entries(tmp_path)
    for (pattern, flags), kept in patterns.items():
        # Pattern equality compares the pattern, its flags and the engine's program itself
        assert _sre.compile(pattern, *kept) == re._compiler.compile(pattern, flags), pattern
    for source, code in sources.items():
        assert code.co_consts == compile(source, "<string>", "exec", dont_inherit=True).co_consts


USER_CODE = """
import re, sys
from dind_doctor.compile_cache import install
install()
import dind_doctor.records  # the records' __init__s go through the cache from here on
from dind_doctor.records import dataclass, field

MODULE_LEVEL = re.compile(r"module-level-[0-9]+")
class Rules:
    CLASS_BODY = re.compile(r"class-body-[a-z]+")
BY_COMPREHENSION = {k: re.compile(k + r"-by-comprehension") for k in ("x",)}

def from_what_was_read(value):
    return re.compile(re.escape(value) + "|other")  # built from data: never written down

def literal_in_a_function(text):
    return re.match(r"literal-in-a-function-\\d", text)

@dataclass(frozen=True)
class Rec:
    name: str
    tags: tuple = field(default_factory=tuple)
    size: int = 3

    def __post_init__(self):
        object.__setattr__(self, "size", self.size * 2)

from_what_was_read(sys.argv[1])
assert literal_in_a_function("literal-in-a-function-1")
r = Rec("a")
print(r, r == Rec("a"), hash(r) == hash(Rec("a")), Rec("b", ("t",), 5))
"""


@pytest.mark.skipif(not WRITES, reason="Python 3.10: no cache")
def test_only_patterns_the_code_wrote_are_kept_never_one_built_from_data(tmp_path):
    secret = "s3cr3t-VALUE-from-a-dotenv"
    runs = [subprocess.run([sys.executable, "-c", USER_CODE, secret], capture_output=True, text=True,
                           timeout=60, env=child_env(tmp_path)) for _ in range(2)]
    assert runs[0].returncode == 0, runs[0].stderr
    assert runs[0].stdout == runs[1].stdout == "Rec(name='a', tags=(), size=6) True True Rec(name='b', tags=('t',), size=10)\n"
    patterns, sources = entries(tmp_path)
    kept = {p for p, _ in patterns}
    assert {r"module-level-[0-9]+", r"class-body-[a-z]+", r"x-by-comprehension",
            r"literal-in-a-function-\d"} <= kept
    raw = cache_file(tmp_path).read_bytes()
    assert secret.encode() not in raw and not any("s3cr3t" in str(p) for p in kept)
    assert any("__post_init__" in s for s in sources)  # Rec's __init__ was kept, and reused by the second run


def test_code_wrote_tells_the_codes_own_patterns_from_built_ones():
    here = sys._getframe(0)
    assert code_wrote(here, "a literal of this test")  # in this function's constants
    assert not code_wrote(here, "built " + str(len(here.f_code.co_name)))
    module = compile("import sys\nframe = sys._getframe(0)", "<m>", "exec")
    space: dict = {}
    exec(module, space)
    assert code_wrote(space["frame"], "anything made at import")


@pytest.mark.skipif(not WRITES, reason="Python 3.10: no cache")
def test_pythondontwritebytecode_reads_the_cache_but_never_writes_it(tmp_path):
    done = program(tmp_path, "check", "--static", "--project", str(SEED), PYTHONDONTWRITEBYTECODE="1")
    assert done.returncode in (0, 1), done.stderr
    assert not list(tmp_path.glob("compiled-*"))


def test_a_cache_folder_that_cannot_be_made_is_no_error(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    done = program(blocker / "cache", "check", "--static", "--project", str(SEED), "--format", "json")
    assert done.returncode in (0, 1) and not done.stderr.strip() and done.stdout.startswith("{")


def test_where_the_cache_lives(monkeypatch, tmp_path):
    monkeypatch.setenv(ENV, "")
    assert cache_folder() is None
    monkeypatch.setenv(ENV, str(tmp_path))
    assert cache_folder() == tmp_path
    monkeypatch.delenv(ENV)
    if sys.platform.startswith("linux"):
        monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
        assert cache_folder() == tmp_path / "xdg" / "dind-doctor"
        monkeypatch.setenv("XDG_CACHE_HOME", "relative/is/ignored")  # the XDG spec: only absolute paths count
        assert cache_folder() == Path.home() / ".cache" / "dind-doctor"


@pytest.fixture(autouse=True)
def writing(monkeypatch):
    monkeypatch.setattr(sys, "dont_write_bytecode", False)  # the suite itself may run with PYTHONDONTWRITEBYTECODE


def a_valid_file(path: Path) -> None:
    store = Store(path)
    store.keep_pattern(("ab+", 0), compile_cache._program("ab+", 0))
    store.save()
    assert _read(path)[0]


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="POSIX owners and modes")
def test_a_file_others_could_write_is_never_loaded(tmp_path):
    path = tmp_path / "compiled.marshal"
    a_valid_file(path)
    path.chmod(0o666)  # loading it would run what another user put there
    assert _read(path) == ({}, {})
    path.chmod(0o600)
    link = tmp_path / "link.marshal"
    link.symlink_to(path)
    assert _read(link) == ({}, {})  # not followed


@pytest.mark.parametrize("damage", [b"", b"\x00\x01garbage", None])
def test_a_damaged_or_foreign_file_is_ignored_and_replaced(tmp_path, damage):
    path = tmp_path / "compiled.marshal"
    if damage is None:  # written by another Python build: a valid file with another header
        path.write_bytes(marshal.dumps((("another", "build"), {("x", 0): None}, {})))
    else:
        path.write_bytes(damage)
    path.chmod(0o600)
    assert _read(path) == ({}, {})
    a_valid_file(path)  # replaced whole
    assert list(_read(path)[0]) == [("ab+", 0)]
