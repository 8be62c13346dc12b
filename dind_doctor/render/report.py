"""One run's report as every renderer sees it, and the one place that picks the renderer.

The findings reach this module only after the run's post-processing (config, suppressions, baseline) and
the masking boundary: a renderer never sees the raw runner output.
"""
from __future__ import annotations

from ..records import dataclass, field
from typing import Mapping, Sequence

from ..choices import FAIL_ON
from ..model import STATUS_ORDER, Finding, Status

SEVERITY = {Status.OK: 0, Status.WARN: 1, Status.FAIL: 2, Status.ERROR: 3}


@dataclass(frozen=True)
class Rule:
    """What a check id means, for formats that describe their rules (SARIF)."""

    id: str
    title: str
    help: str


@dataclass(frozen=True)
class Report:
    findings: Sequence[Finding]
    level: str
    shell: str
    rules: Mapping[str, Rule] = field(default_factory=dict)
    fail_on: str = "fail"
    static: bool = False
    baseline_file: str | None = None
    baseline_known: int = 0  # findings the baseline already holds: counted, not reported
    path_prefix: str = ""  # the project folder relative to the current one ("" when it is the current one)
    project_uri: str = ""  # file:// URI of the project folder (SARIF's base for relative paths)

    @property
    def active(self) -> list[Finding]:
        return [f for f in self.findings if f.active]

    @property
    def suppressed(self) -> list[Finding]:
        return [f for f in self.findings if not f.active]

    def fails(self, f: Finding) -> bool:
        """Does this finding fail the exit code at the report's --fail-on threshold?"""
        return f.active and f.status in SEVERITY and SEVERITY[f.status] >= FAIL_ON.index(self.fail_on)

    @property
    def failed(self) -> bool:
        return any(self.fails(f) for f in self.findings)

    def message(self, f: Finding) -> str:
        """The summary, why it matters, and the fix for the report's shell: what an alert, an annotation
        or a test failure shows."""
        parts = [f.summary] + ([f.detail] if f.detail else [])
        parts += [f"Fix ({self.shell if fix.shell != 'any' else 'edit'}): {fix.text}" for fix in f.fixes_for(self.shell)]
        return "\n\n".join(parts)

    def counts(self) -> dict[str, int]:
        return {s.value: sum(1 for f in self.active if f.status is s) for s in STATUS_ORDER}


def fail_on_status(strict: bool, fail_on: str | None) -> str:
    """--strict is --fail-on warn; an explicit --fail-on wins over it; the default is fail."""
    return fail_on or ("warn" if strict else "fail")


def render(fmt: str, report: Report, *, unicode: bool = True, colour: bool = False, verbose: bool = False) -> str:
    if fmt == "json":
        from .json_report import render_report

        return render_report(report)
    if fmt == "sarif":
        from .sarif import render as sarif

        return sarif(report)
    if fmt == "github":
        from .github import render as github

        return github(report)
    if fmt == "junit":
        from .junit import render as junit

        return junit(report)
    from .table import render_report as table

    return table(report, unicode=unicode, colour=colour, verbose=verbose)


def rules_for(items: Sequence[object]) -> dict[str, Rule]:
    """id -> Rule for the checks of a run (a Check class or a registry LoadFailure)."""
    from ..registry import LoadFailure

    rules: dict[str, Rule] = {}
    for item in items:
        if isinstance(item, LoadFailure):
            rules[item.id] = Rule(item.id, f"plugin check from {item.package} (failed to load)", item.error)
        else:
            rules[item.id] = Rule(item.id, item.title, item.explanation())  # type: ignore[attr-defined]
    return rules
