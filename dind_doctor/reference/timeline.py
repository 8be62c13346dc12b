"""Stages, each timed and announced as it runs; a timeline at the end.

A stage is either one of the steps themselves (what a user types by hand: build the outer image, start the
servers, start the outer container, compose build and up) or one of run-reference's own stages (preflight,
reading validated.csv, verification, clean-up): the summary gives both totals, the cost of the tool beside
the cost of the work. A background stage runs in a thread beside the others (the servers start while an
image builds); the total is wall time, so an overlapped stage is counted once.
"""
from __future__ import annotations

import threading
import time
from contextlib import contextmanager
from ..records import dataclass, field
from typing import Any, Callable, Iterator

from ..errors import DindDoctorError


class StageFailed(DindDoctorError):
    """A stage could not complete: the message says what happened and what to do."""


@dataclass
class StageRecord:
    name: str
    seconds: float = 0.0
    outcome: str = "running"  # ok, failed, interrupted
    note: str = ""
    step: bool = False  # one of the steps themselves; False: run-reference's own stage
    background: bool = False  # ran in a thread beside other stages


@dataclass
class Background:
    """A stage running in a thread: join() gives its result (or raises its error) on the main thread."""

    record: StageRecord
    thread: threading.Thread
    result: Any = None
    error: BaseException | None = None
    output: list[str] = field(default_factory=list)  # lines the work printed, echoed by join()


@dataclass
class Timeline:
    echo: Callable[[str], None]
    stages: list[StageRecord] = field(default_factory=list)
    started: float = field(default_factory=time.monotonic)

    def _done(self, record: StageRecord, started: float) -> None:
        record.seconds = time.monotonic() - started
        note = f": {record.note}" if record.note else ""
        self.echo(f"    {record.outcome} in {record.seconds:.1f} s{note}")

    @contextmanager
    def stage(self, name: str, step: bool = False) -> Iterator[StageRecord]:
        record = StageRecord(name, step=step)
        self.stages.append(record)
        self.echo(f"==> {name}")
        started = time.monotonic()
        try:
            yield record
            record.outcome = "ok"
        except KeyboardInterrupt:
            record.outcome = "interrupted"
            raise
        except BaseException:
            record.outcome = "failed"
            raise
        finally:
            self._done(record, started)

    def background(self, name: str, work: Callable[[StageRecord], Any], step: bool = False) -> Background:
        """Starts `work(record)` in a daemon thread (a Ctrl-C on the main thread never waits for it: the
        run's registry, closed by the cleanup, refuses its next create)."""
        record = StageRecord(name, step=step, background=True)
        self.stages.append(record)
        self.echo(f"==> {name} (in the background)")
        started = time.monotonic()

        def target() -> None:
            try:
                job.result = work(record)
                record.outcome = "ok"
            except BaseException as exc:  # handed to the main thread by join()
                job.error, record.outcome = exc, "failed"
            finally:
                record.seconds = time.monotonic() - started

        job = Background(record, threading.Thread(target=target, name=name, daemon=True))
        job.thread.start()
        return job

    def join(self, job: Background) -> Any:
        """Waits for a background stage (announced as a stage of its own when it is not done yet)."""
        if job.thread.is_alive():
            with self.stage(f"waiting for: {job.record.name}", step=job.record.step):
                while job.thread.is_alive():  # short waits: Ctrl-C stays deliverable
                    job.thread.join(0.1)
        for line in job.output:
            self.echo(line)
        note = f": {job.record.note}" if job.record.note else ""
        self.echo(f"    {job.record.name}: {job.record.outcome} in {job.record.seconds:.1f} s{note}")
        if job.error is not None:
            raise job.error
        return job.result

    def summary(self) -> list[str]:
        wall = time.monotonic() - self.started
        own = sum(s.seconds for s in self.stages if not s.step and not s.background)
        width = max((len(s.name) for s in self.stages), default=10)
        lines = ["Stage timeline:"]
        for s in self.stages:
            share = 100 * s.seconds / wall if wall else 0
            kind = "step" if s.step else "own"
            lines.append(f"  {s.name:<{width}}  {s.seconds:7.1f} s  {share:3.0f}%  {s.outcome:<5} {kind}"
                         + ("  (background)" if s.background else ""))
        lines.append(f"  {'total (wall time)':<{width}}  {wall:7.1f} s")
        lines.append(f"  {'own stages':<{width}}  {own:7.1f} s  (preflight, image checks, reads, verification, "
                     "clean-up)")
        lines.append(f"  {'the steps themselves':<{width}}  {wall - own:7.1f} s  (the rest)")
        return lines
