"""`dind-doctor run-reference`: the user's whole programme, end to end, verified and cleaned up.

Light on purpose: importing this package must not import docker-py (`dind-doctor --help` stays instant).
"""
from __future__ import annotations

from typing import Any, Callable


def run_reference(echo: Callable[[str], None] | None = None, **options: Any) -> int:
    """Runs the reference module (keywords: see options.Options) and returns the exit code to report:
    the module's own, 1 when run-reference itself failed, 2 for bad input, 130 when interrupted.
    `echo` receives each output line (default: click.echo)."""
    from .options import Options, UsageProblem
    from .run import EXIT_USAGE, run

    if echo is None:
        import click

        echo = click.echo
    try:
        opts = Options(**options)
    except UsageProblem as exc:
        echo(f"run-reference: {exc}")
        return EXIT_USAGE
    return run(opts, echo)
