"""The JSON report: an interface for CI. Schema 1 is documented in the README; keep it stable."""
from __future__ import annotations

import json
from typing import Sequence

from .. import __version__
from ..model import STATUS_ORDER, Finding

SCHEMA = 1


def counts(findings: Sequence[Finding]) -> dict[str, int]:
    return {s.value: sum(1 for f in findings if f.status is s) for s in STATUS_ORDER}


def finding_dict(f: Finding) -> dict:
    return {
        "check": f.check,
        "status": f.status.value,
        "summary": f.summary,
        "detail": f.detail,
        "location": None if f.location is None else {"path": f.location.path, "line": f.location.line},
        "fixes": [{"shell": x.shell, "text": x.text} for x in f.fixes],
        "evidence": dict(f.evidence),
    }


def render(findings: Sequence[Finding], level: str, shell: str) -> str:
    report = {
        "schema": SCHEMA,
        "tool": {"name": "dind-doctor", "version": __version__},
        "level": level,
        "shell": shell,
        "findings": [finding_dict(f) for f in findings],
        "counts": counts(findings),
    }
    # default=str: evidence may hold paths or numbers from Docker; they must never break the report.
    return json.dumps(report, indent=2, ensure_ascii=False, default=str)
