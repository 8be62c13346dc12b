"""The engine's slow work started first, while the checks that read only the project run.

A probe container takes the daemon about 0.4 s to start, a `docker compose config` child as long, and
neither costs this process CPU while it waits. So before the checks run, each selected check's `prestart`
hook may have the daemon start a container over the raw socket (engine/early_container.py), the client
connects (importing docker-py while that container starts), each selected check's `warm` hook starts its
memoized engine work on a daemon thread, and the sweep of dead runs' leftovers begins; when a check asks
for the same value, it gets the result (or waits for the call in flight) instead of starting it then. A
warm hook that fails is silent: the check asks again in its own thread and reports what it finds. Nothing
new is created here that the run's registry and cleanup do not already cover: the hooks go through the
same probe helpers as the checks.
"""
from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any, Sequence

if TYPE_CHECKING:
    from ..check import Check
    from ..context import Context

SWEEP_KEY = "dead-run sweep"  # Context.memo key of sweep_dead_runs' result, shared with cleanup_run
EARLY_KEY = "early containers"  # Context.memo key of the prestart hooks' raw containers (early_container.py)


def _warm_one(check: "Check", ctx: "Context") -> None:
    from ..runner import _gate

    try:
        if _gate(check, ctx) is None:  # a check skipped at this level starts nothing
            check.warm(ctx)
    except Exception:  # the check asks again in its own thread, where a failure is reported
        pass


def _sweep(ctx: "Context") -> None:
    from .cleanup import sweep_dead_runs

    try:
        client = ctx.docker()
        ctx.memo(SWEEP_KEY, lambda: sweep_dead_runs(client))
    except Exception:  # cleanup_run sweeps again at the end
        pass


def start_engine_work(ctx: "Context", items: Sequence[Any]) -> list[threading.Thread]:
    """Connect, then start each selected check's warm hook and the dead-run sweep on daemon threads.
    Nothing in static mode, nor when no selected check has engine work (no connection is made then).
    Returns the threads started (tests join them)."""
    from ..check import Check

    checks = [item() for item in items if isinstance(item, type) and issubclass(item, Check)]
    warmers = [c for c in checks if type(c).warm is not Check.warm]
    if ctx.static or not (warmers or any(c.needs_engine for c in checks)):
        return []
    for check in checks:  # the daemon starts their containers while docker-py is imported just below
        if type(check).prestart is not Check.prestart:
            try:
                check.prestart(ctx)
            except Exception:  # its check takes today's path
                pass
    if ctx.engine_error:  # connects now, in this thread: the warm hooks and the checks all need it first
        return []
    threads = [threading.Thread(target=_warm_one, args=(c, ctx), name=f"warm-{c.id}", daemon=True) for c in warmers]
    threads.append(threading.Thread(target=_sweep, args=(ctx,), name="dead-run-sweep", daemon=True))
    for thread in threads:
        thread.start()
    return threads
