"""What several commands share: a Context with usage errors in click's words, the run's cleanup with its
report, and an engine session that turns the tool's own errors into messages."""
from __future__ import annotations

import sys
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

import click

if TYPE_CHECKING:
    from ..context import Context


def context_for(project: Path, shell: str, timeout: float, verbose: bool = False, fix: bool = False) -> "Context":
    """session.make_context, with a bad --project as a usage error (exit 2)."""
    from .. import session
    from ..errors import UsageProblem

    try:
        return session.make_context(project, shell, timeout, verbose, fix)
    except UsageProblem as exc:
        raise click.UsageError(str(exc)) from None


def finish(ctx: "Context", **cleanup_options: object) -> None:
    """Remove what the run created (and what dead earlier runs left, saying so on stderr); close."""
    from ..engine.cleanup import cleanup_run

    try:
        report = cleanup_run(ctx, **cleanup_options)  # type: ignore[arg-type]
        for line in report.swept:
            click.echo(f"dind-doctor: {line}", err=True)
        for problem in report.problems:
            click.echo(f"dind-doctor: clean-up: could not remove {problem}", err=True)
    finally:
        ctx.close()


@contextmanager
def engine_session(project: Path, timeout: float, project_values: bool = True) -> Iterator["Context"]:
    """A Context for a command that drives the engine. One of the tool's own errors becomes a clean
    message (exit 1), masked like every line the command prints (with the project's values unless
    `project_values` is False: a command with no project of its own); what this run created is removed,
    also on Ctrl-C and SIGTERM."""
    from ..errors import DindDoctorError
    from ..secret_sources import project_masker

    ctx = context_for(project, "bash", timeout)
    try:
        yield ctx
    except DindDoctorError as exc:
        raise click.ClickException(project_masker(ctx, project_values)(str(exc))) from None
    finally:
        finish(ctx)


def console_unicode() -> bool:
    """Can stdout encode the status marks? (sys.stdout's encoding: click's stream wrapper may claim
    UTF-8 on a cp1252 console.)"""
    from ..render.table import can_encode

    return can_encode("✔⚠✖‼–·", getattr(sys.stdout, "encoding", None))
