"""Stages, each timed and announced as it runs; a timeline at the end."""
from __future__ import annotations

import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Callable, Iterator

from ..errors import DindDoctorError


class StageFailed(DindDoctorError):
    """A stage could not complete: the message says what happened and what to do."""


@dataclass
class StageRecord:
    name: str
    seconds: float = 0.0
    outcome: str = "running"  # ok, failed, interrupted
    note: str = ""


@dataclass
class Timeline:
    echo: Callable[[str], None]
    stages: list[StageRecord] = field(default_factory=list)

    @contextmanager
    def stage(self, name: str) -> Iterator[StageRecord]:
        record = StageRecord(name)
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
            record.seconds = time.monotonic() - started
            note = f": {record.note}" if record.note else ""
            self.echo(f"    {record.outcome} in {record.seconds:.1f} s{note}")

    def summary(self) -> list[str]:
        total = sum(s.seconds for s in self.stages)
        width = max((len(s.name) for s in self.stages), default=10)
        lines = ["Stage timeline:"]
        for s in self.stages:
            share = 100 * s.seconds / total if total else 0
            lines.append(f"  {s.name:<{width}}  {s.seconds:7.1f} s  {share:3.0f}%  {s.outcome}")
        lines.append(f"  {'total':<{width}}  {total:7.1f} s")
        return lines
