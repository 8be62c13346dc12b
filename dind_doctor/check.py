"""The base every check derives from, built-in or plugin.

A check declares its id, title, the nesting levels it applies to and whether it needs the engine; `run`
reads the Context and returns Findings. It never prints and never exits. Its docstring is what
`dind-doctor explain ID` shows.
"""
from __future__ import annotations

import inspect
from .records import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Iterable, Mapping

from .model import ALL_LEVELS, Finding, Level, Status

if TYPE_CHECKING:
    from .context import Context


@dataclass(frozen=True)
class Option:
    """A per-check setting the config file may give ([tool.dind-doctor.options.CHECK_ID])."""

    type: type
    default: Any
    help: str
    minimum: float | None = None

    def problem(self, value: Any) -> str | None:
        """Why `value` is not acceptable, or None."""
        if isinstance(value, bool) is not (self.type is bool) or not isinstance(value, self.type):
            return f"must be {self.type.__name__}, not {value!r}"
        number: Any = value  # a minimum is only declared for int or float options
        if self.minimum is not None and number < self.minimum:
            return f"must be at least {self.minimum:g}, not {value!r}"
        return None


class Check:
    id: ClassVar[str]
    title: ClassVar[str]
    levels: ClassVar[frozenset[Level]] = ALL_LEVELS
    needs_engine: ClassVar[bool] = False
    time_limit: ClassVar[float] = 30.0  # seconds; past it the runner reports an `error` finding
    # Reads only the project's files (any live part is skipped without an engine): runs in --static mode.
    project_check: ClassVar[bool] = False
    options: ClassVar[Mapping[str, Option]] = {}

    def run(self, ctx: "Context") -> Iterable[Finding]:
        raise NotImplementedError

    def warm(self, ctx: "Context") -> None:
        """Start the slow engine work `run` will ask for (a probe, a `docker compose config`), through the
        same memoized helpers, before the checks run (engine/early.py). Called on a thread of its own, only
        when the engine answers and the check applies at this level; by default nothing."""

    def prestart(self, ctx: "Context") -> None:
        """Start daemon work before docker-py is imported (engine/early_container.start_early), in the main
        thread, before anything says whether the check applies here: it must decide that itself, cheaply.
        Called only outside --static; by default nothing."""

    def option(self, ctx: "Context", name: str) -> Any:
        """The config file's value of one of this check's `options`, else its default."""
        return ctx.options.get(self.id, {}).get(name, self.options[name].default)

    def finding(self, status: Status, summary: str, **kwargs: Any) -> Finding:
        return Finding(check=self.id, status=status, summary=summary, **kwargs)

    @classmethod
    def explanation(cls) -> str:
        return inspect.getdoc(cls) or cls.title
