"""JUnit XML for CI test-report viewers (GitLab, Jenkins, Azure DevOps): one testcase per finding.

A finding that fails the run at the --fail-on threshold is a `<failure>` (an `error` status is an
`<error>`: the check itself could not decide); a skipped or suppressed finding is `<skipped>` with its
reason; the rest pass. So the test report and the exit code always agree.
"""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import TYPE_CHECKING

from ..model import Status

if TYPE_CHECKING:
    from .report import Report


# XML 1.0 cannot hold most control characters, even escaped: a finding quoting one must not break the file.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml(text: str) -> str:
    return NOT_XML.sub("\ufffd", text)


def render(report: "Report") -> str:
    suite = ET.Element("testsuite", name="dind-doctor")
    tallies = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for f in report.findings:
        name = _xml(f"{f.location}: {f.summary}" if f.location else f.summary)
        case = ET.SubElement(suite, "testcase", classname=f"dind-doctor.{f.check}", name=name)
        if f.location is not None:
            case.set("file", _xml(f.location.path))
            if f.location.line:
                case.set("line", str(f.location.line))
        tallies["tests"] += 1
        text = _xml(report.message(f))
        if f.suppression is not None:
            ET.SubElement(case, "skipped", message=_xml(f"suppressed ({f.suppression.source}): {f.suppression.reason}"))
            tallies["skipped"] += 1
        elif f.status is Status.SKIP:
            ET.SubElement(case, "skipped", message=_xml(f.summary))
            tallies["skipped"] += 1
        elif report.fails(f):
            tag = "error" if f.status is Status.ERROR else "failure"
            ET.SubElement(case, tag, message=_xml(f.summary), type=f.status.value).text = text
            tallies["errors" if tag == "error" else "failures"] += 1
        elif f.status is not Status.OK:
            ET.SubElement(case, "system-out").text = text
    for key, value in tallies.items():
        suite.set(key, str(value))
    suites = ET.Element("testsuites", {"name": "dind-doctor", "tests": str(tallies["tests"]),
                                       "failures": str(tallies["failures"]), "errors": str(tallies["errors"])})
    suites.append(suite)
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode")
