"""What several commands share: building the Context, and reading the registry."""
from __future__ import annotations

from pathlib import Path

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


def checks_by_id() -> dict:
    """id -> loaded Check class or LoadFailure, in registry order."""
    from ..registry import load_all

    return {item.id: item for item in load_all()}
