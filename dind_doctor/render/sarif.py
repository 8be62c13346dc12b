"""SARIF 2.1.0 for GitHub code scanning and other SARIF viewers.

One rule per check id (its `explain` text is the rule's help); one result per finding that is a problem:
fail and error map to `error`, warn to `warning`; ok and skip are not problems and are not emitted. A
suppressed finding is emitted with SARIF's own `suppressions` (kind inSource for a comment in the file,
external for a config entry) and the reason as justification, so that viewers show it as suppressed
instead of losing it; a check the config turned off is a `notApplicable` result for the same reason.
"""
from __future__ import annotations

import json
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from .. import __version__
from ..model import Finding, Status

if TYPE_CHECKING:
    from .report import Report, Rule

SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
LEVELS = {Status.FAIL: "error", Status.ERROR: "error", Status.WARN: "warning"}
ROOT = "PROJECTROOT"
INFO_URI = "https://pypi.org/project/dind-doctor/"


def _rule(rule: "Rule") -> dict[str, Any]:
    first = rule.help.split("\n\n", 1)[0].replace("\n", " ")
    return {
        "id": rule.id,
        "name": "".join(part.capitalize() for part in rule.id.split("-")),
        "shortDescription": {"text": rule.title},
        "fullDescription": {"text": first},
        "help": {"text": rule.help},
    }


def _location(f: Finding) -> dict[str, Any]:
    """Where the finding is. A finding about the engine or the machine has no file: it is anchored at the
    project folder, since code scanning rejects a result without any location."""
    if f.location is None:
        return {"physicalLocation": {"artifactLocation": {"uri": "./", "uriBaseId": ROOT}}}
    path = f.location.path.replace("\\", "/")
    artifact: dict[str, Any] = ({"uri": PurePosixPath(path).as_uri()} if path.startswith("/")
                                else {"uri": quote(path, safe="/"), "uriBaseId": ROOT})
    physical: dict[str, Any] = {"artifactLocation": artifact}
    if f.location.line:
        region = {"startLine": f.location.line}
        if f.location.column:
            region["startColumn"] = f.location.column
        physical["region"] = region
    return {"physicalLocation": physical}


def _result(f: Finding, report: "Report", index: dict[str, int]) -> dict[str, Any]:
    result: dict[str, Any] = {
        "ruleId": f.check,
        "ruleIndex": index[f.check],
        "message": {"text": report.message(f)},
        "locations": [_location(f)],
        "properties": {"status": f.status.value, "fixes": [{"shell": x.shell, "text": x.text} for x in f.fixes]},
    }
    if f.status in LEVELS:
        result["level"] = LEVELS[f.status]
    else:
        result.update(kind="notApplicable", level="none")
    if f.fingerprint:
        result["partialFingerprints"] = {"dindDoctorFingerprint/v1": f.fingerprint}
    if f.suppression is not None:
        result["suppressions"] = [{"kind": "inSource" if f.suppression.kind == "inline" else "external",
                                   "status": "accepted", "justification": f.suppression.reason,
                                   "properties": {"source": f.suppression.source}}]
    return result


def render(report: "Report") -> str:
    from .report import Rule

    rules = dict(report.rules)
    for f in report.findings:  # a check without a description (a plugin that failed to load) still has a rule
        rules.setdefault(f.check, Rule(f.check, f.check, f"dind-doctor finding {f.check}."))
    index = {rid: i for i, rid in enumerate(rules)}
    emitted = [f for f in report.findings if f.status in LEVELS or f.suppression is not None]
    run: dict[str, Any] = {
        "tool": {"driver": {"name": "dind-doctor", "version": __version__, "semanticVersion": __version__,
                            "informationUri": INFO_URI, "rules": [_rule(r) for r in rules.values()]}},
        "columnKind": "unicodeCodePoints",
        "results": [_result(f, report, index) for f in emitted],
        "invocations": [{"executionSuccessful": True, "exitCode": 1 if report.failed else 0}],
        "properties": {"level": report.level, "shell": report.shell, "failOn": report.fail_on,
                       "static": report.static, "baselineKnown": report.baseline_known},
    }
    if report.project_uri:
        run["originalUriBaseIds"] = {ROOT: {"uri": report.project_uri.rstrip("/") + "/"}}
    return json.dumps({"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}, indent=2, ensure_ascii=False)
