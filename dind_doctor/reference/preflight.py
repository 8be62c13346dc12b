"""The checks before the run: their fixes are printed; a `fail` stops the run unless --force."""
from __future__ import annotations

from typing import TYPE_CHECKING, Callable

from ..model import Status
from .timeline import StageFailed

if TYPE_CHECKING:
    from ..context import Context


def preflight(ctx: "Context", force: bool, echo: Callable[[str], None]) -> str:
    """Runs every registered check with the run's own Context (its probes carry the run's labels, so the
    run's cleanup removes them too); returns a one-line tally. The Context stays open for the run."""
    from ..registry import checks_by_id
    from ..render.json_report import counts
    from ..runner import run_checks

    findings = run_checks(ctx, list(checks_by_id().values()))
    for f in findings:
        if f.status in (Status.WARN, Status.FAIL, Status.ERROR):
            echo(f"    {f.status.value}: {f.check}: {f.summary}")
            for fix in f.fixes_for(ctx.shell):
                for line in fix.text.splitlines():
                    echo(f"        fix: {line}")
    by_status = counts(findings)
    tally = ", ".join(f"{n} {status}" for status, n in by_status.items() if n)
    failed = by_status[Status.FAIL.value]
    if failed and not force:
        raise StageFailed(f"{failed} check(s) failed ({tally}); fix them, or run again with --force")
    return tally or "no checks registered"
