"""The checks before the run: their fixes are printed; a `fail` stops the run unless --force."""
from __future__ import annotations

from pathlib import Path
from typing import Callable

from ..model import Status
from .timeline import StageFailed


def preflight(project: Path, timeout: float, force: bool, echo: Callable[[str], None]) -> str:
    """Runs every registered check on `project`; returns a one-line tally."""
    from .. import shells
    from ..commands.common import checks_by_id
    from ..context import Context
    from ..runner import run_checks

    shell, reason = shells.detect()
    ctx = Context(project=project.resolve(), shell=shell, shell_reason=reason, timeout=timeout)
    try:
        findings = run_checks(ctx, list(checks_by_id().values()))
    finally:
        ctx.close()
    for f in findings:
        if f.status in (Status.WARN, Status.FAIL, Status.ERROR):
            echo(f"    {f.status.value}: {f.check}: {f.summary}")
            for fix in f.fixes_for(shell):
                for line in fix.text.splitlines():
                    echo(f"        fix: {line}")
    counts = {s: sum(f.status is s for f in findings) for s in Status}
    tally = ", ".join(f"{n} {s.value}" for s, n in counts.items() if n)
    failed = counts[Status.FAIL]
    if failed and not force:
        raise StageFailed(f"{failed} check(s) failed ({tally}); fix them, or run again with --force")
    return tally or "no checks registered"
