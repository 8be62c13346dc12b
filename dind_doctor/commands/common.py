"""What several commands share: building the Context, and reading the registry."""
from __future__ import annotations

import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import click


def make_context(project: Path, shell: str, timeout: float, verbose: bool = False, fix: bool = False):
    from ..context import Context
    from .. import shells

    if not project.is_dir():
        raise click.BadParameter(f"{project} is not a folder", param_hint="--project")
    if shell == "auto":
        shell, reason = shells.detect()
    else:
        reason = "--shell"
    return Context(project=project.resolve(), shell=shell, shell_reason=reason, timeout=timeout,
                   verbose=verbose, fix=fix)


@contextmanager
def engine_session(project: Path, timeout: float, user_errors: tuple = (), project_values: bool = True) -> Iterator:
    """A Context for a command that drives the engine. An unusable daemon, a failed probe or one of
    `user_errors` becomes a clean message (exit 1), masked like every line the command prints (with the
    project's values unless `project_values` is False: a command with no project of its own); what this
    run created is removed, also on Ctrl-C."""
    from ..context import EngineUnavailable
    from ..probes import ProbeError, cleanup_run
    from ..secret_sources import project_masker

    ctx = make_context(project, "bash", timeout)
    try:
        yield ctx
    except (ProbeError, EngineUnavailable, *user_errors) as exc:
        raise click.ClickException(project_masker(ctx, project_values)(str(exc))) from None
    finally:
        cleanup_run(ctx)
        ctx.close()


def console_unicode() -> bool:
    """Can stdout encode the status marks? (sys.stdout's encoding: click's stream wrapper may claim
    UTF-8 on a cp1252 console.)"""
    from ..render.table import can_encode

    return can_encode("✔⚠✖‼–·", getattr(sys.stdout, "encoding", None))


def checks_by_id() -> dict:
    """id -> loaded Check class or LoadFailure, in registry order."""
    from ..registry import load_all

    return {item.id: item for item in load_all()}
