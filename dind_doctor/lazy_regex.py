"""Regular expressions compiled on first use instead of at import.

Python's regex compiler is pure Python: a pattern costs 0.1-1 ms to compile, and modules compile theirs
at import whether the run needs them or not. PyYAML alone compiles ~20 at import (its resolvers, its pure
Python reader and emitter: 9% of a `check --static` run's instructions) when its C loader, which the
package uses, needs a few of them on a typical compose file.

`deferred_compiles(package)` imports with `re.compile` returning a LazyPattern to the given package's own
code only (the caller's module name decides: another package compiling meanwhile gets a real pattern). A
LazyPattern compiles at its first attribute access and keeps the compiled pattern's methods on itself, so
later calls cost what a real pattern's do. It serves code that only calls a pattern's methods and reads its
attributes (match, search, sub, pattern, flags...): not code that passes it to re.* functions or tests
isinstance(..., re.Pattern); use it only for packages whose code was read for that (PyYAML's was).
"""
from __future__ import annotations

import re
import sys
import threading
from contextlib import contextmanager
from typing import Any, Iterator

from .compile_cache import code_wrote, compile_written

_BOUND = ("match", "search", "fullmatch", "finditer", "findall", "sub", "subn", "split", "scanner", "pattern",
          "flags", "groups", "groupindex")
_patching = threading.Lock()


class LazyPattern:
    """re.compile(pattern, flags), done when first used. `written`: the code wrote the pattern (made at
    import, or a literal), so the compile cache may keep it (compile_cache.code_wrote)."""

    def __init__(self, pattern: str, flags: int = 0, written: bool = False) -> None:
        self._source = (pattern, flags)
        self._written = written

    def __getattr__(self, name: str) -> Any:  # only while the attribute is missing: until the first use
        compiled = compile_written(*self._source) if self._written else _real_compile(*self._source)
        for attr in _BOUND:
            self.__dict__[attr] = getattr(compiled, attr)
        return getattr(compiled, name)

    def __repr__(self) -> str:
        return f"LazyPattern({self._source[0]!r}, {self._source[1]!r})"


_real_compile = re.compile
_deferred: dict[str, int] = {}  # top-level package -> how many blocks defer it now (blocks may nest)


def _compile(pattern: Any, flags: int = 0) -> Any:
    caller = sys._getframe(1)
    if isinstance(pattern, str) and caller.f_globals.get("__name__", "").partition(".")[0] in _deferred:
        return LazyPattern(pattern, flags, code_wrote(caller, pattern))
    return _real_compile(pattern, flags)


@contextmanager
def deferred_compiles(package: str) -> Iterator[None]:
    """Within the block, `re.compile` called from the modules of the top-level `package` returns a
    LazyPattern. Blocks may nest and overlap across threads: re.compile is itself again after the last."""
    with _patching:
        _deferred[package] = _deferred.get(package, 0) + 1
        re.compile = _compile  # type: ignore[assignment]
    try:
        yield
    finally:
        with _patching:
            _deferred[package] -= 1
            if not _deferred[package]:
                del _deferred[package]
            if not _deferred:
                re.compile = _real_compile
