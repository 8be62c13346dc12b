"""Runs checks, each under its time limit; results come back in a stable order, masked.

Engine and host checks, which wait on the daemon, run concurrently, each on a thread of its own; project
checks, which hold the GIL, run one after another on one more thread (see run_checks). A check that raises,
times out or failed to load becomes an `error` finding naming it. Checks run on daemon threads: a check
stuck in a call that ignores its timeout cannot keep the tool from exiting.
Every finding leaves through the masking boundary (masking.py): whatever renders the findings of a run
(table, JSON, any other format, run-reference's preflight) receives them masked, and cannot do otherwise.
"""
from __future__ import annotations

import threading
import time
from itertools import accumulate
from typing import TYPE_CHECKING, Callable, Sequence

from .check import Check
from .model import Finding, Status
from .registry import LoadFailure

if TYPE_CHECKING:
    from .context import Context


def _gate(check: Check, ctx: "Context") -> Finding | None:
    """A `skip` finding when the check does not apply here, else None."""
    if ctx.static and not check.project_check:
        return check.finding(Status.SKIP, "an engine or host check: not run in static mode (--static)")
    if check.needs_engine and ctx.engine_error:
        return check.finding(Status.SKIP, f"needs a Docker engine: {ctx.engine_error}")
    level = ctx.nesting().level
    if level not in check.levels:
        return check.finding(Status.SKIP, f"does not apply at nesting level {level.value}")
    return None


def _run_one(check: Check, ctx: "Context") -> list[Finding]:
    gated = _gate(check, ctx)
    if gated is not None:
        return [gated]
    findings = list(check.run(ctx))
    if not findings:
        raise RuntimeError("returned no finding")
    for f in findings:
        if not isinstance(f, Finding):
            raise TypeError(f"returned {type(f).__name__}, not a Finding")
    return findings


def crash_finding(check: Check, exc: Exception, verbose: bool) -> Finding:
    """The `error` finding of a check that raised. One of the tool's own errors (a probe that could not
    run, no engine) is said in its words; anything else is a bug, named by its type, and under --verbose
    the traceback of the crash stays in the evidence for the bug report."""
    import traceback

    from .errors import DindDoctorError

    if isinstance(exc, DindDoctorError):
        summary = f"the check could not finish: {exc}"
    else:
        summary = f"the check crashed: {type(exc).__name__}: {exc}"
    evidence = {"traceback": "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))} if verbose else {}
    return check.finding(Status.ERROR, summary, evidence=evidence)


def run_checks(ctx: "Context", items: Sequence[type[Check] | LoadFailure]) -> list[Finding]:
    from .engine.early import start_engine_work

    start_engine_work(ctx, items)  # the daemon starts probes while the project checks run
    results: dict[int, list[Finding]] = {}

    def target(i: int, check: Check) -> None:
        try:
            results[i] = _run_one(check, ctx)
        except Exception as exc:  # a crashing check is a result, never a crash of the tool
            results[i] = [crash_finding(check, exc, ctx.verbose)]

    checks: list[tuple[int, Check]] = []
    for i, item in enumerate(items):
        if isinstance(item, LoadFailure):
            results[i] = [Finding(item.id, Status.ERROR,
                                  f"the plugin from package {item.package!r} failed to load: {item.error}")]
        else:
            checks.append((i, item()))
    # An engine or host check waits on the daemon: each gets a thread of its own, so the waits overlap.
    # A project check is Python holding the GIL (its engine work, if any, was started early by its warm
    # hook): threads would only hand the GIL back and forth (about 3,000 context switches on the user's
    # repository, a fifth of a --static run's wall time), so the project checks run one after another
    # on one thread, each still under its own time limit, while the engine checks wait.
    lane: list[tuple[int, Check]] = []
    own_thread: list[tuple[int, Check]] = []
    for pair in checks:
        (lane if ctx.static or pair[1].project_check else own_thread).append(pair)
    threads = _start_each_on_a_thread(own_thread, target)
    timed_out = _run_lane(lane, target) if lane else {}
    timed_out.update(_join_each(threads))
    findings = [f for i in range(len(items)) for f in timed_out.get(i) or results[i]]
    return masked(ctx, findings)


Target = Callable[[int, Check], None]
Started = tuple[int, threading.Thread, Check, float]  # its index, its thread, the check, when it started


def _timed_out(check: Check) -> list[Finding]:
    return [check.finding(Status.ERROR, f"timed out after {check.time_limit:g} s")]


def _start_each_on_a_thread(checks: list[tuple[int, Check]], target: Target) -> list[Started]:
    started = time.monotonic()
    threads: list[Started] = []
    for i, check in checks:
        thread = threading.Thread(target=target, args=(i, check), name=f"check-{check.id}", daemon=True)
        thread.start()
        threads.append((i, thread, check, started))
    return threads


def _join_each(threads: list[Started]) -> dict[int, list[Finding]]:
    """The findings of the checks past their time limit, counted from their threads' start (their late
    results, if any, are ignored)."""
    timed_out: dict[int, list[Finding]] = {}
    for i, thread, check, started in threads:
        thread.join(max(0.0, started + check.time_limit - time.monotonic()))
        if thread.is_alive():
            timed_out[i] = _timed_out(check)
    return timed_out


class _Lane:
    """Project checks run one after another on one daemon thread, each timed from its own start.

    The runner sleeps until the lane is done, waking only when a check may be past its limit: not at every
    check. Each wake-up takes the GIL from the lane, and on a loaded machine the lane then waits for the
    runner's thread to be scheduled (the checks of the user's repository ran 0.8 CPUs' worth in 1.0 s of
    wall time when the runner woke twice per check)."""

    def __init__(self, checks: list[tuple[int, Check]], target: Target) -> None:
        self.checks, self.target = checks, target
        self._lock = threading.Lock()  # the lane's next step and the runner's verdict on it: one at a time
        self._progress = (0, time.monotonic())  # (position in checks of the one running, when it started)
        self._abandoned = False
        self._done = threading.Event()
        # A check started later ends no sooner than this after its start: the runner's longest sleep, so it
        # looks again before any check the lane has moved on to can pass its limit.
        limits = [check.time_limit for _, check in checks]
        self._shortest_from = list(accumulate(reversed(limits), min))[::-1]  # suffix minima, one pass

    def run(self) -> None:  # on the lane's thread
        for n, (i, check) in enumerate(self.checks):
            with self._lock:
                if self._abandoned:  # the runner gave up on a check of this lane: the rest run on the next one
                    return
                self._progress = (n, time.monotonic())
            self.target(i, check)
        self._done.set()

    def wait(self) -> int | None:
        """None once every check has run; else the position of the check past its limit, the lane given up."""
        while True:
            n, started = self._progress
            deadline = started + self.checks[n][1].time_limit
            if self._sleep(min(deadline - time.monotonic(), self._shortest_from[n])):
                return None
            with self._lock:
                if self._progress == (n, started) and time.monotonic() >= deadline:
                    self._abandoned = True
                    return n

    def _sleep(self, seconds: float) -> bool:
        """Whether the lane finished within `seconds`."""
        return self._done.wait(max(0.0, seconds))


def _run_lane(checks: list[tuple[int, Check]], target: Target) -> dict[int, list[Finding]]:
    """The checks on a _Lane. A check past its limit is left running on its thread (nothing can stop a
    thread), reported timed out, and the checks after it go on a new lane."""
    timed_out: dict[int, list[Finding]] = {}
    while checks:
        lane = _Lane(checks, target)
        threading.Thread(target=lane.run, name="checks", daemon=True).start()
        late = lane.wait()
        if late is None:
            break
        i, check = checks[late]
        timed_out[i] = _timed_out(check)
        checks = checks[late + 1:]
    return timed_out


def masked(ctx: "Context", findings: list[Finding]) -> list[Finding]:
    """The findings through the run's Masker; when a project source could not be read for it, an
    `error` finding says so (its values are masked only if they look like credentials)."""
    from .secret_sources import project_masker

    masker = project_masker(ctx)
    if masker.problem:
        findings = findings + [Finding("masking", Status.ERROR, "the project's values could not all be collected "
                                                               f"for masking: {masker.problem}")]
    return masker.findings(findings)
