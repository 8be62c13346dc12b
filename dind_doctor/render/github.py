"""GitHub Actions workflow commands: one `::error` / `::warning` annotation per problem finding.

Escaping follows the runner's own rules (actions/toolkit `command.ts`): in the message `%`, CR and LF are
percent-encoded; in a property value also `:` and `,`, which would otherwise end the value. Paths are
made relative to the current folder (the workspace in a workflow) so that the annotation lands on the file.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from ..model import Finding, Status

if TYPE_CHECKING:
    from .report import Report

COMMANDS = {Status.FAIL: "error", Status.ERROR: "error", Status.WARN: "warning"}


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(f: Finding, report: "Report") -> str:
    props: list[tuple[str, str]] = []
    if f.location is not None:
        path = f.location.path.replace("\\", "/")
        if report.path_prefix and not path.startswith("/"):
            path = f"{report.path_prefix.rstrip('/')}/{path}"
        props.append(("file", path))
        if f.location.line:
            props.append(("line", str(f.location.line)))
            if f.location.column:
                props.append(("col", str(f.location.column)))
    props.append(("title", f"dind-doctor {f.check}"))
    head = ",".join(f"{k}={escape_property(v)}" for k, v in props)
    return f"::{COMMANDS[f.status]} {head}::{escape_data(report.message(f))}"


def render(report: "Report") -> str:
    """Annotations for the active problems, then one plain summary line (workflow logs show it as is)."""
    lines = [annotation(f, report) for f in report.active if f.status in COMMANDS]
    counts = report.counts()
    tally = ", ".join(f"{n} {s}" for s, n in counts.items() if n) or "no finding"
    extra = f", {len(report.suppressed)} suppressed" if report.suppressed else ""
    if report.baseline_file:
        extra += f", {report.baseline_known} known to the baseline"
    lines.append(f"dind-doctor: {tally}{extra} (fail on {report.fail_on}: {'failed' if report.failed else 'passed'})")
    return "\n".join(lines)
