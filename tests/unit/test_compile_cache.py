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
    for (_, pattern, flags), kept in patterns.items():
        # Pattern equality compares the pattern, its flags and the engine's program, not the groups' names
        cached, fresh = _sre.compile(pattern, *kept), re._compiler.compile(pattern, flags)
        assert cached == fresh and (cached.groups, cached.groupindex) == (fresh.groups, fresh.groupindex), pattern
    for source, code in sources.items():
        assert code.co_consts == compile(source, "<string>", "exec", dont_inherit=True).co_consts


# A module of this package as far as the cache can tell (its __name__), imported from a file by the child.
PROBE_MODULE = r"""
import os, re
from dind_doctor.records import dataclass, field

MODULE_LEVEL = re.compile(r"module-level-[0-9]+")
PART = "import"
BUILT_AT_IMPORT = re.compile("built-at-" + PART)  # this package's own code, from its constants
FLAGGED = re.compile(r"flagged", re.I)
AS_BYTES = re.compile(rb"as-bytes-[0-9]+")
SAME_TEXT = (re.compile("same-text"), re.compile(b"same-text"))  # never compared to each other (python -bb)
class Rules:
    CLASS_BODY = re.compile(r"class-body-[a-z]+")
BY_COMPREHENSION = {k: re.compile(k + r"-by-comprehension") for k in ("x",)}
NOT_KEPT = re.compile(r"debug-[0-9]", re.DEBUG)  # prints its program: compiled as usual

def from_what_was_read(value):
    return re.compile(re.escape(value) + "|from-a-function")

def literal_in_a_function(text):
    return re.match(r"literal-in-a-function-\d", text)

def from_a_generator(values):
    return (re.compile(v + "|from-a-generator") for v in values)

def by_exec(value):  # the value written into exec'd code: a literal there, still data
    exec("import re; re.compile(" + repr(value + "|by-exec") + ").pattern")

MARK = os.environ["PROBE_MARK"]
CONSUMED_HERE = list(from_a_generator([MARK]))  # made by a function, consumed at import: still data
by_exec(MARK)

@dataclass(frozen=True)
class Rec:
    name: str
    tags: tuple = field(default_factory=tuple)
    size: int = 3

    def __post_init__(self):
        object.__setattr__(self, "size", self.size * 2)
"""

USER_CODE = """
import importlib.util, re, sys
from dind_doctor.compile_cache import install
install()
from dind_doctor.lazy_regex import deferred_compiles

spec = importlib.util.spec_from_file_location("dind_doctor._cache_probe", sys.argv[1])
probe = importlib.util.module_from_spec(spec)
with deferred_compiles("dind_doctor"):  # as the checks are imported: module-level patterns made lazy
    spec.loader.exec_module(probe)
    lazy_from_data = probe.from_what_was_read(probe.MARK + "-lazy")
assert lazy_from_data.search(probe.MARK + "-lazy")  # compiled at its first use
probe.from_what_was_read(probe.MARK)
assert probe.literal_in_a_function("literal-in-a-function-1") and probe.FLAGGED.match("FLAGGED")
assert probe.MODULE_LEVEL.match("module-level-7") and probe.AS_BYTES.match(b"as-bytes-1")
assert probe.NOT_KEPT.match("debug-1") and probe.CONSUMED_HERE[0].pattern
for lazy in (probe.BUILT_AT_IMPORT, *probe.SAME_TEXT, probe.Rules.CLASS_BODY, *probe.BY_COMPREHENSION.values()):
    lazy.pattern  # compiled at its first use
r = probe.Rec("a")
print(r, r == probe.Rec("a"), hash(r) == hash(probe.Rec("a")), probe.Rec("b", ("t",), 5))
"""


@pytest.mark.skipif(not WRITES, reason="Python 3.10: no cache")
def test_only_patterns_the_code_wrote_are_kept_never_one_built_from_data(tmp_path):
    secret = "s3cr3t-VALUE-from-a-dotenv"
    module = tmp_path / "probe.py"
    module.write_text(PROBE_MODULE)
    folder = tmp_path / "cache"
    runs = [subprocess.run([sys.executable, "-bb", "-c", USER_CODE, str(module)], capture_output=True,
                           text=True, timeout=60, env=child_env(folder, PROBE_MARK=secret)) for _ in range(2)]
    assert runs[0].returncode == 0, runs[0].stderr
    shown = "Rec(name='a', tags=(), size=6) True True Rec(name='b', tags=('t',), size=10)\n"
    assert runs[0].stdout.endswith(shown) and runs[1].stdout.endswith(shown)
    assert "LITERAL" in runs[1].stdout  # re.DEBUG printed its program on the second run too: never kept
    patterns, sources = entries(folder)
    assert {(False, r"module-level-[0-9]+", 0), (False, "built-at-import", 0), (False, "flagged", re.I),
            (True, rb"as-bytes-[0-9]+", 0), (False, "same-text", 0), (True, b"same-text", 0),
            (False, r"class-body-[a-z]+", 0), (False, r"x-by-comprehension", 0),
            (False, r"literal-in-a-function-\d", 0)} <= set(patterns)
    assert not any("debug" in str(p) for _, p, _ in patterns)
    raw = cache_file(folder).read_bytes()
    assert b"s3cr3t" not in raw and not any("s3cr3t" in str(p) for _, p, _ in patterns)
    assert any("__post_init__" in s for s in sources)  # Rec's __init__ was kept, and reused by the second run


def test_code_wrote_tells_the_codes_own_patterns_from_built_ones():
    here = sys._getframe(0)
    assert code_wrote(here, "a literal of this test")  # in this function's constants
    assert not code_wrote(here, "a literal of this test".encode())  # a bytes pattern is not its str twin
    assert not code_wrote(here, "built " + str(len(here.f_code.co_name)))
    space: dict = {"__name__": "dind_doctor._made_at_import"}
    exec(compile("import sys\nframe = sys._getframe(0)", "made_at_import.py", "exec"), space)
    assert code_wrote(space["frame"], "anything this package makes at import")
    space = {"__name__": "another_package.module"}
    exec(compile("import sys\nframe = sys._getframe(0)", "module.py", "exec"), space)
    assert not code_wrote(space["frame"], "anything another package makes at import")
    space = {"__name__": "dind_doctor._made_by_exec"}
    exec("import sys\nframe = sys._getframe(0)", space)  # exec'd text: data, not code
    assert not code_wrote(space["frame"], "import sys\nframe = sys._getframe(0)")


def module_level_reads(tree) -> list[str]:
    """Where the code that runs at import (not inside a def or lambda) names os.environ or os.getenv."""
    import ast

    found, todo = [], list(tree.body)
    while todo:
        node = todo.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            continue
        if isinstance(node, ast.Attribute) and node.attr in ("environ", "getenv", "environb"):
            found.append(f"line {node.lineno}")
        todo.extend(ast.iter_child_nodes(node))
    return found


def test_this_packages_import_time_code_reads_no_environment():
    # What this package's modules compile at import is kept whether or not it is a literal (code_wrote):
    # that is only right while their import-time code builds patterns from constants, never from the
    # environment a run was started with.
    import ast

    package = Path(compile_cache.__file__).parent
    reads = {str(path.relative_to(package)): where for path in sorted(package.rglob("*.py"))
             if (where := module_level_reads(ast.parse(path.read_text(encoding="utf-8"))))}
    assert not reads


@pytest.mark.skipif(not WRITES, reason="Python 3.10: no cache")
def test_pythondontwritebytecode_reads_the_cache_but_never_writes_it(tmp_path):
    done = program(tmp_path, "check", "--static", "--project", str(SEED), PYTHONDONTWRITEBYTECODE="1")
    assert done.returncode in (0, 1), done.stderr
    assert not list(tmp_path.glob("compiled-*"))


@pytest.mark.skipif(not WRITES, reason="Python 3.10: no cache")
def test_a_cache_folder_that_cannot_be_made_is_no_error(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    done = program(blocker / "cache", "check", "--static", "--project", str(SEED), "--format", "json")
    assert done.returncode in (0, 1) and not done.stderr.strip() and done.stdout.startswith("{")


def test_where_the_cache_lives(monkeypatch, tmp_path):
    monkeypatch.setenv(ENV, "")
    assert cache_folder() is None
    monkeypatch.setenv(ENV, "relative")  # it would follow the current folder, into a project: no cache
    assert cache_folder() is None
    monkeypatch.setenv(ENV, str(tmp_path))
    assert cache_folder() == tmp_path
    monkeypatch.delenv(ENV)
    if sys.platform != "win32":  # beside --fix's backups (fixers.py)
        monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
        assert cache_folder() == tmp_path / "xdg" / "dind-doctor" / "compiled"
        monkeypatch.setenv("XDG_CACHE_HOME", "relative/is/ignored")  # the XDG spec: only absolute paths count
        assert cache_folder() == Path.home() / ".cache" / "dind-doctor" / "compiled"


@pytest.fixture(autouse=True)
def writing(monkeypatch):
    monkeypatch.setattr(sys, "dont_write_bytecode", False)  # the suite itself may run with PYTHONDONTWRITEBYTECODE


def a_valid_file(path: Path) -> None:
    store = Store(path)
    store.keep_pattern((False, "ab+", 0), compile_cache._program("ab+", 0))
    store.save()
    assert _read(path)[0]


@pytest.mark.skipif(not WRITES or not hasattr(os, "getuid"), reason="POSIX owners and modes, Python 3.11+")
def test_a_file_others_could_write_is_never_loaded(tmp_path):
    path = tmp_path / "compiled.marshal"
    a_valid_file(path)
    path.chmod(0o666)  # loading it would run what another user put there
    assert _read(path) == ({}, {})
    path.chmod(0o600)
    link = tmp_path / "link.marshal"
    link.symlink_to(path)
    assert _read(link) == ({}, {})  # not followed
    assert _read(path)[0]
    if os.getuid() == 0:  # root can hand the file to another user: then it is theirs, and not loaded
        os.chown(path, 4242, -1)
        assert _read(path) == ({}, {})


@pytest.mark.skipif(not WRITES, reason="Python 3.10: no cache")
def test_a_save_keeps_what_another_run_saved_meanwhile_and_the_groups_names(tmp_path):
    path = tmp_path / "compiled.marshal"
    one, other = Store(path), Store(path)
    one.keep_pattern((False, "(?P<a>a)(?P<b>b)", 0), compile_cache._program("(?P<a>a)(?P<b>b)", 0))
    other.keep_pattern((False, "c+", 0), compile_cache._program("c+", 0))
    one.save()
    other.save()  # loaded nothing, saves after one: both entries stay
    patterns, _ = _read(path)
    assert set(patterns) == {(False, "(?P<a>a)(?P<b>b)", 0), (False, "c+", 0)}
    import _sre

    assert _sre.compile("(?P<a>a)(?P<b>b)", *patterns[(False, "(?P<a>a)(?P<b>b)", 0)]).match("ab").lastgroup == "b"


@pytest.mark.skipif(not WRITES, reason="Python 3.10: no cache")
def test_deprecated_syntax_is_said_at_every_run_against_the_line_that_compiled_it(tmp_path):
    code = ("import warnings\nwarnings.simplefilter('always')\nfrom dind_doctor.compile_cache import install\n"
            "install()\nimport re\n\ndef compiles():\n    return re.compile('[[a]')\n\ncompiles()\n")
    script = tmp_path / "user.py"
    script.write_text(code)
    for _ in range(2):
        done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=60,
                              env=child_env(tmp_path / "cache"))
        assert done.returncode == 0 and f"{script}:8: FutureWarning" in done.stderr, done.stderr
    assert not any(b"[[a]" in kept.read_bytes() for kept in (tmp_path / "cache").glob("compiled-*"))


@pytest.mark.skipif(not WRITES, reason="Python 3.10: no cache")
def test_an_entry_this_build_cannot_use_is_compiled_anew(tmp_path):
    import zlib

    header = compile_cache._header()
    build = zlib.crc32(repr(header).encode())
    path = tmp_path / f"compiled-{compile_cache.__version__}-{sys.implementation.cache_tag}-{build:08x}.marshal"
    good = compile_cache._program("[a-z]+", 0)
    damaged = (good[0], good[1][:3], *good[2:])  # a program cut short: the engine refuses it
    path.write_bytes(marshal.dumps((header, {(False, "[a-z]+", 0): damaged}, {})))
    path.chmod(0o600)
    code = ("from dind_doctor.compile_cache import install\ninstall()\nimport re\n"
            "print(re.compile('[a-z]+').fullmatch('abc') is not None)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                          env=child_env(tmp_path))
    assert (done.returncode, done.stdout, done.stderr) == (0, "True\n", "")


@pytest.mark.skipif(not WRITES, reason="Python 3.10: no cache")
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
    assert list(_read(path)[0]) == [(False, "ab+", 0)]
