"""The compile cache: the regular expressions and record `__init__`s a run compiles, kept compiled between
runs, as Python keeps .pyc files.

Every run compiled them anew: about 135 patterns on the user's repository (Python's regex compiler is pure
Python: about 20 ms) and one generated `__init__` per record it uses (about 60 from source text: about 12 ms),
a tenth of a `check --static` run. Both come from the code, never from the project, so their compiled forms
are kept in one file per dind-doctor version and Python build: read at the first compile of a run, written
at exit when the run compiled something new.

What is kept:
- a pattern the code wrote: a literal of the code that compiles it (this package's, click's, PyYAML's, the
  standard library's), or one this package's own modules make at import from their constants (a module's
  top level, a class body there, their comprehensions; lazy_regex's deferred patterns count where they were
  made). A pattern a function builds from what it read (a .dockerignore glob, a Dockerfile's escape
  character), one made by exec'd code or consumed from a generator, is compiled as usual and never written;
- the source text the standard dataclasses module generates, which names fields, never their values.

The file holds compiled forms (the regex engine's programs, marshalled code objects): like a .pyc, loading
it runs what it holds. On POSIX it is only read when it is a regular file (not a link) of the user's own
that nobody else may write; Windows has no such check here: the default folder is in the user's own
%LOCALAPPDATA%, and a DIND_DOCTOR_CACHE_DIR there must be a folder only the user can write. It is only used when it
was written by this very Python build (sys.version, the regex engine's version: the file's name says which);
anything else is ignored and replaced at exit. A Python other than CPython 3.11-3.13 compiles as it always did.

Where: DIND_DOCTOR_CACHE_DIR (an absolute path), else beside --fix's backups: ~/.cache/dind-doctor/compiled
($XDG_CACHE_HOME), %LOCALAPPDATA%\\dind-doctor\\compiled. DIND_DOCTOR_CACHE_DIR set empty: no cache.
PYTHONDONTWRITEBYTECODE: read, never written, as Python does with .pyc files. Only the program's entry point
installs it (console.py): tests and embedders that import the package compile as they always did.
"""
from __future__ import annotations

import _sre
import marshal
import os
import re
import stat
import sys
import threading
import warnings
from pathlib import Path
from types import CodeType, FrameType
from typing import Any, Callable

from . import __version__

FORMAT = 1
MAX_FILE_BYTES = 8 * 1024 * 1024  # the package's own entries are ~0.2 MiB
MAX_ENTRIES = 5000  # per kind: what a run adds past it is compiled, not kept
ENV = "DIND_DOCTOR_CACHE_DIR"
# The regex engine's arguments as Python 3.11 to 3.13 build them (_program); a later Python (CPython's main
# branch passes _sre.compile one more argument) compiles as usual until its steps are read and tested here.
PYTHONS = ((3, 11), (3, 13))
_CO_OPTIMIZED = 0x0001  # a function's code; module and class bodies lack it (inspect.CO_OPTIMIZED)
# Run right where they are written, as functions before Python 3.12; not <genexpr>: a generator runs where
# it is consumed, which may be far from the code that made it.
_COMPREHENSIONS = frozenset({"<listcomp>", "<dictcomp>", "<setcomp>"})
# The frames a compile passes through on its way from the code that asked for it
_RELAYS = frozenset({"re", "re._compiler", __name__, "dind_doctor.lazy_regex"})
_OWN = __name__.partition(".")[0] + "."  # this package's modules: read for what they compile at import

Program = tuple[int, list[int], int, dict[str, int], tuple[Any, ...]]  # _sre.compile's arguments after the pattern
Key = tuple[bool, "str | bytes", int]  # (bytes?, pattern, flags): str and bytes never compared (python -bb)


def cache_folder() -> Path | None:
    """Where the file lives, beside --fix's backups (fixers.py); None: no cache (DIND_DOCTOR_CACHE_DIR set
    empty or relative, which would follow the current folder into a project; no home folder)."""
    given = os.environ.get(ENV)
    if given is not None:
        return Path(given) if given and os.path.isabs(given) else None
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA")
        return Path(base, "dind-doctor", "compiled") if base else None
    xdg = os.environ.get("XDG_CACHE_HOME")  # the XDG rule: a relative value is ignored
    try:
        return Path(xdg if xdg and os.path.isabs(xdg) else Path.home() / ".cache", "dind-doctor", "compiled")
    except RuntimeError:  # no home folder to be found (an unknown uid in a container)
        return None


def _header() -> tuple[Any, ...]:
    return (FORMAT, __version__, sys.version, sys.implementation.cache_tag, _sre.MAGIC, _sre.CODESIZE,
            sys.maxunicode)


class Store:
    """The entries of one cache file: loaded when first needed, saved by save() when the run added some."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.patterns: dict[Key, Program] = {}
        self.sources: dict[str, CodeType] = {}
        self.added = False
        self._loaded = False
        self._lock = threading.Lock()

    def ready(self) -> "Store":
        if not self._loaded:
            with self._lock:
                if not self._loaded:
                    patterns, sources = _read(self.path)
                    self.patterns.update(patterns)
                    self.sources.update(sources)
                    self._loaded = True
        return self

    def keep_pattern(self, key: Key, program: Program) -> None:
        if len(self.patterns) < MAX_ENTRIES:
            self.patterns[key] = program
            self.added = True

    def keep_source(self, source: str, code: CodeType) -> None:
        if len(self.sources) < MAX_ENTRIES:
            self.sources[source] = code
            self.added = True

    def save(self) -> None:
        """Writes the entries (with those another run saved meanwhile) when this run added some; a cache
        that cannot be written is no error: the next run compiles again."""
        if not self.added or sys.dont_write_bytecode:
            return
        patterns, sources = _read(self.path)  # another run's entries since this one loaded
        patterns.update(self.patterns)
        sources.update(self.sources)
        try:
            data = marshal.dumps((_header(), patterns, sources))
        except ValueError:  # an entry marshal cannot write (it never should): keep the file as it is
            return
        if len(data) > MAX_FILE_BYTES:
            return
        import tempfile

        try:
            self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            fd, temporary = tempfile.mkstemp(prefix=f".{self.path.name}.", dir=self.path.parent)  # 0600, O_EXCL
        except OSError:
            return
        try:
            with os.fdopen(fd, "wb") as out:  # writes it all, or raises
                out.write(data)
            os.replace(temporary, self.path)  # whole or not at all: a reader never sees half a file
        except OSError:
            try:
                os.unlink(temporary)  # this run's own temporary file, never another run's
            except OSError:
                pass


def _read(path: Path) -> tuple[dict, dict]:
    """The file's (patterns, sources); empty when it is missing, not the user's own, writable by others,
    too large, damaged, or written by another Python build."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0))
    except OSError:
        return {}, {}
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_FILE_BYTES:
            return {}, {}
        if hasattr(os, "getuid") and (info.st_uid != os.getuid() or info.st_mode & 0o022):
            return {}, {}  # another user's, or one they could write: loading it would run their code
        data = os.read(fd, info.st_size + 1)
    except OSError:
        return {}, {}
    finally:
        os.close(fd)
    try:
        header, patterns, sources = marshal.loads(data)
    except (EOFError, ValueError, TypeError):
        return {}, {}
    if header != _header() or not isinstance(patterns, dict) or not isinstance(sources, dict):
        return {}, {}
    return patterns, sources


def code_wrote(frame: FrameType | None, pattern: str | bytes) -> bool:
    """`pattern` is the code's own, not something it read: a literal of the code running in `frame`, or made
    at import by this package's own code (a module's top level, a class body there, their comprehensions:
    read for that, they build patterns from constants only). Code run by exec() is data, whatever it says."""
    if frame is None or frame.f_code.co_filename == "<string>":
        return False
    if frame.f_globals.get("__name__", "").startswith(_OWN) and _at_import(frame):
        return True
    kind = type(pattern)  # another package's code, or a function: its literals only
    return any(type(constant) is kind and constant == pattern for constant in frame.f_code.co_consts)


def _at_import(frame: FrameType | None) -> bool:
    """The code runs at import: a module's top level, a class body there, their comprehensions."""
    while frame is not None:
        code = frame.f_code
        if code.co_name == "<module>":
            return code.co_filename != "<string>"
        if code.co_flags & _CO_OPTIMIZED and code.co_name not in _COMPREHENSIONS:
            return False  # a function: it may have built the pattern from anything
        frame = frame.f_back  # a class body or a comprehension: where does it run?
    return False


def _asker(frame: FrameType | None) -> FrameType | None:
    while frame is not None and frame.f_globals.get("__name__") in _RELAYS:
        frame = frame.f_back
    return frame


_store: Store | None = None
_plain_compile: Callable[..., Any] | None = None  # re._compiler.compile, before install()


def install() -> None:
    """From the program's entry point, before anything compiles: this process's compiles go through the cache."""
    global _store, _plain_compile
    folder = cache_folder()
    if (folder is None or _store is not None or sys.implementation.name != "cpython"
            or not PYTHONS[0] <= sys.version_info[:2] <= PYTHONS[1]):
        return
    import atexit
    import zlib

    compiler = re._compiler  # type: ignore[attr-defined]
    build = zlib.crc32(repr(_header()).encode())  # two builds of one Python version never share a file
    _store = Store(folder / f"compiled-{__version__}-{sys.implementation.cache_tag}-{build:08x}.marshal")
    _plain_compile = compiler.compile
    compiler.compile = _compile
    atexit.register(_store.save)


def _program(pattern: str | bytes, flags: int) -> Program:
    """What re._compiler.compile hands _sre.compile (the same steps, Python 3.11 to 3.13)."""
    from re import _compiler, _parser  # type: ignore[attr-defined]

    parsed = _parser.parse(pattern, flags)
    code = _compiler._code(parsed, flags)
    groupindex = dict(parsed.state.groupdict)
    indexgroup: list[Any] = [None] * parsed.state.groups
    for name, number in groupindex.items():
        indexgroup[number] = name
    # plain ints: the opcodes are an int subclass, which marshal does not write
    return (int(flags | parsed.state.flags), [int(c) for c in code], parsed.state.groups - 1, groupindex,
            tuple(indexgroup))


def _compile(pattern: Any, flags: int = 0, *, keep: bool | None = None) -> Any:
    """re._compiler.compile through the cache; `keep`: None to decide from the code that asked."""
    assert _plain_compile is not None
    # a parsed pattern, a str or bytes subclass (not marshalled), re.DEBUG (prints the program): as usual
    if _store is None or type(pattern) not in (str, bytes) or flags & re.DEBUG:
        return _plain_compile(pattern, flags)
    store = _store.ready()
    key = (type(pattern) is bytes, pattern, int(flags))
    program = store.patterns.get(key)
    if program is not None:
        try:
            return _sre.compile(pattern, *program)
        except (TypeError, ValueError, RuntimeError, OverflowError):  # an entry this build cannot use: anew
            pass
    try:
        # process-wide, but only on a miss (a first run's compiles): another thread's warning meanwhile would
        # be said here instead
        with warnings.catch_warnings(record=True) as warned:
            warnings.simplefilter("always")
            program = _program(pattern, flags)
            compiled = _sre.compile(pattern, *program)
    except (TypeError, ValueError, AttributeError):  # steps this Python does not take: its own compile
        return _plain_compile(pattern, flags)
    asker = _asker(sys._getframe(1))
    if warned:  # deprecated syntax: said at each run, blamed on the code that compiled it, never kept
        place = asker or sys._getframe(0)
        for said in warned:
            warnings.warn_explicit(said.message, said.category, place.f_code.co_filename, place.f_lineno,
                                   module=place.f_globals.get("__name__"),
                                   registry=place.f_globals.setdefault("__warningregistry__", {}))
    elif keep if keep is not None else code_wrote(asker, pattern):
        store.keep_pattern(key, program)
    return compiled


def compile_written(pattern: str | bytes, flags: int = 0) -> Any:
    """re.compile for a pattern the code wrote out (lazy_regex's, made at import and compiled later)."""
    if _store is None:
        return re.compile(pattern, flags)
    return _compile(pattern, flags, keep=True)


def cached_exec(source: Any, globals: dict | None = None, locals: Any = None, /) -> None:
    """exec, for the dataclasses module: its generated source text compiled once, kept, reused."""
    if _store is not None and isinstance(source, str):
        store = _store.ready()
        code = store.sources.get(source)
        if not isinstance(code, CodeType):
            # dont_inherit: compiled as exec compiles dataclasses' text, without this module's __future__ flags
            code = compile(source, "<string>", "exec", dont_inherit=True)
            store.keep_source(source, code)
        source = code
    exec(source, globals, locals)


def through_cache(dataclasses_module: Any) -> None:
    """The dataclasses module's generated methods compiled through the cache (records.py, at its import)."""
    if _store is not None:
        dataclasses_module.exec = cached_exec
