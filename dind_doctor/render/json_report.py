"""The JSON report: an interface for CI. Schema 1 is documented in the README; keep it stable (fields are
only ever added)."""
from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Sequence

from .. import __version__
from ..model import STATUS_ORDER, Finding

if TYPE_CHECKING:
    from .report import Report

SCHEMA = 1


def counts(findings: Sequence[Finding]) -> dict[str, int]:
    return {s.value: sum(1 for f in findings if f.status is s and f.active) for s in STATUS_ORDER}


def finding_dict(f: Finding) -> dict:
    s = f.suppression
    return {
        "check": f.check,
        "status": f.status.value,
        "summary": f.summary,
        "detail": f.detail,
        "location": None if f.location is None else {"path": f.location.path, "line": f.location.line},
        "fixes": [{"shell": x.shell, "text": x.text} for x in f.fixes],
        "evidence": dict(f.evidence),
        "suppression": None if s is None else {"reason": s.reason, "source": s.source, "kind": s.kind},
        "fingerprint": f.fingerprint or None,
    }


def _dump(report: dict[str, Any]) -> str:
    # default=str: evidence may hold paths or numbers from Docker; they must never break the report.
    return json.dumps(report, indent=2, ensure_ascii=False, default=str)


def _base(findings: Sequence[Finding], level: str, shell: str) -> dict[str, Any]:
    return {
        "schema": SCHEMA,
        "tool": {"name": "dind-doctor", "version": __version__},
        "level": level,
        "shell": shell,
        "findings": [finding_dict(f) for f in findings],
        "counts": counts(findings),
    }


def render(findings: Sequence[Finding], level: str, shell: str) -> str:
    return _dump(_base(findings, level, shell))


def render_report(report: "Report") -> str:
    """Schema 1 plus what a run with a config, a baseline or --static adds (fields only ever added)."""
    out = _base(report.findings, report.level, report.shell)
    out.update({
        "fail_on": report.fail_on,
        "failed": report.failed,
        "static": report.static,
        "suppressed": len(report.suppressed),
        "baseline": None if report.baseline_file is None
        else {"file": report.baseline_file, "known": report.baseline_known},
    })
    return _dump(out)
