"""Building the Context of one run: what every command and run-reference share, below the CLI layer."""
from __future__ import annotations

from pathlib import Path

from .context import Context
from .errors import UsageProblem


def make_context(project: Path, shell: str, timeout: float, verbose: bool = False, fix: bool = False) -> Context:
    """A Context for `project`; `shell` "auto" is detected from the parent processes. UsageProblem when
    the project is not a folder."""
    from . import shells

    if not project.is_dir():
        raise UsageProblem(f"--project: {project} is not a folder")
    if shell == "auto":
        shell, reason = shells.detect()
    else:
        reason = "--shell"
    return Context(project=project.resolve(), shell=shell, shell_reason=reason, timeout=timeout,
                   verbose=verbose, fix=fix)
