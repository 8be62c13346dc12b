"""The click options several commands share, and the exit codes every command keeps to."""
from __future__ import annotations

import math
from pathlib import Path
from typing import Any, Callable, TypeVar

import click

from ..choices import SHELLS

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2
from ..interrupts import EXIT_INTERRUPTED  # noqa: F401  (Ctrl-C or SIGTERM; what the run created was removed)

F = TypeVar("F", bound=Callable[..., Any])


def project_option(f: F) -> F:
    return click.option("--project", "project", type=click.Path(file_okay=False, path_type=Path),
                        default=".", show_default=True,
                        help="The project folder (scripts, compose files, Dockerfiles, in any sub-folder).")(f)


def shell_option(f: F) -> F:
    return click.option("--shell", type=click.Choice(("auto",) + SHELLS), default="auto", show_default=True,
                        help="Write fixes for this shell (auto: detected from the parent processes).")(f)


def finite_seconds(minimum: float) -> Callable[[click.Context, click.Parameter, Any], Any]:
    """A click callback: a number of seconds, finite and at least `minimum` (nan and inf are no timeout)."""
    def check(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
        if value is not None and (not math.isfinite(value) or value < minimum):
            raise click.BadParameter(f"{value} is not a number of seconds of at least {minimum:g}")
        return value
    return check


def outer_env_option(f: F) -> F:
    """`--env KEY=VALUE` (repeatable): a variable for the levels walk's outer stand-in; a dict by name."""
    def parse(_ctx: click.Context, _param: click.Parameter, items: tuple[str, ...]) -> dict[str, str]:
        env = {}
        for item in items:
            key, eq, value = item.partition("=")
            if not eq or not key:
                raise click.BadParameter(f"{item!r} is not KEY=VALUE", param_hint="--env")
            env[key] = value
        return env

    return click.option("--env", "extra_env", multiple=True, metavar="KEY=VALUE", callback=parse,
                        help="A variable for the outer stand-in, as if the run script passed it with -e "
                             "(repeatable).")(f)


def timeout_option(f: F) -> F:
    return click.option("--timeout", type=float, default=5.0, show_default=True, callback=finite_seconds(0.1),
                        help="Seconds each Docker call (and each network probe) may take before the daemon "
                             "or listener counts as hanging.")(f)
