"""The base every check derives from, built-in or plugin.

A check declares its id, title, the nesting levels it applies to and whether it needs the engine; `run`
reads the Context and returns Findings. It never prints and never exits. Its docstring is what
`dind-doctor explain ID` shows.
"""
from __future__ import annotations

import inspect
from typing import TYPE_CHECKING, ClassVar, Iterable

from .model import ALL_LEVELS, Finding, Level, Status

if TYPE_CHECKING:
    from .context import Context


class Check:
    id: ClassVar[str]
    title: ClassVar[str]
    levels: ClassVar[frozenset[Level]] = ALL_LEVELS
    needs_engine: ClassVar[bool] = False
    time_limit: ClassVar[float] = 30.0  # seconds; past it the runner reports an `error` finding

    def run(self, ctx: "Context") -> Iterable[Finding]:
        raise NotImplementedError

    def finding(self, status: Status, summary: str, **kwargs) -> Finding:
        return Finding(check=self.id, status=status, summary=summary, **kwargs)

    @classmethod
    def explanation(cls) -> str:
        return inspect.getdoc(cls) or cls.title
