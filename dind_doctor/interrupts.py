"""Ctrl-C and SIGTERM mean the same thing in every command: stop, clean up what the run created, exit 130.

SIGTERM (a CI runner cancelling a job, `docker stop` of a container running dind-doctor, `kill`) is turned
into KeyboardInterrupt, so the `finally` blocks that clean up run for both. While a cleanup runs, both
signals are held back and delivered when it is done: a second Ctrl-C cannot leave half a cleanup behind.
"""
from __future__ import annotations

import signal
import threading
from contextlib import contextmanager
from typing import Any, Iterator

EXIT_INTERRUPTED = 130
_SIGNALS = tuple(s for s in (getattr(signal, "SIGINT", None), getattr(signal, "SIGTERM", None)) if s is not None)


def interrupted_by(exc: BaseException) -> bool:
    """Is `exc` a Ctrl-C or SIGTERM in disguise? An interrupt raised inside Python's own machinery comes out
    wrapped: in a class body being built by a lazy import, dataclasses turn it into `RuntimeError: Error
    calling __set_name__` (seen in CI: SIGTERM during `levels`' first probe)."""
    seen: set[int] = set()
    item: BaseException | None = exc
    while item is not None and id(item) not in seen:
        if isinstance(item, KeyboardInterrupt):
            return True
        seen.add(id(item))
        item = item.__cause__ or item.__context__
    return False


def _raise_interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


def install() -> None:
    """Make SIGTERM behave as Ctrl-C for the rest of the process (main thread only)."""
    if threading.current_thread() is threading.main_thread() and hasattr(signal, "SIGTERM"):
        signal.signal(signal.SIGTERM, _raise_interrupt)


@contextmanager
def sigterm_as_interrupt() -> Iterator[None]:
    """SIGTERM as Ctrl-C for the duration of a block (library callers: run_reference())."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "SIGTERM"):
        yield
        return
    previous = signal.signal(signal.SIGTERM, _raise_interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@contextmanager
def deferred_interrupts() -> Iterator[None]:
    """Hold SIGINT and SIGTERM back during a block (a cleanup); raise KeyboardInterrupt after it when one
    arrived meanwhile. Outside the main thread, signals are not ours to handle: no change."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    arrived: list[int] = []
    previous = {s: signal.signal(s, lambda signum, frame: arrived.append(signum)) for s in _SIGNALS}
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
    if arrived:
        raise KeyboardInterrupt
