"""SARIF (validated against the published 2.1.0 schema), GitHub annotations (escaping), JUnit (parsed)."""
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import junitparser
import pytest

from dind_doctor.model import Finding, Location, Status, Suppression, fixes, same_fix
from dind_doctor.render import github, junit, sarif
from dind_doctor.render.report import Report, Rule, fail_on_status, render

SCHEMA = json.loads((Path(__file__).parent.parent / "data" / "sarif-schema-2.1.0.json").read_text())

FINDINGS = [
    Finding("docker-socket", Status.OK, "unix:///var/run/docker.sock answers"),
    Finding("port-2375", Status.FAIL, "the Docker API answers without TLS on 0.0.0.0:2375",
            detail="why it matters", fixes=fixes(powershell="Get-NetTCPConnection -LocalPort 2375", bash="ss -ltnp")),
    Finding("backtick-continuation", Status.WARN, "space after backtick: 100% broken,\r\nreally",
            location=Location("scripts/run host,1:a.ps1", 3, 5), fixes=same_fix("Delete the space.")),
    Finding("line-endings", Status.FAIL, "CRLF in entrypoint.sh", location=Location("entrypoint.sh", 1),
            fingerprint="abc123", suppression=Suppression("vendored, fixed upstream", "entrypoint.sh:1", "inline")),
    Finding("env-file", Status.SKIP, "skipped by the config: we have no compose",
            suppression=Suppression("we have no compose", ".dind-doctor.toml:4")),
    Finding("nesting-level", Status.SKIP, "needs a Docker engine"),
    Finding("pwd-path-forms", Status.ERROR, "the check crashed: \x1b[31mboom\x00"),
]
RULES = {f.check: Rule(f.check, f"title of {f.check}", f"First paragraph.\n\nMore about {f.check}.")
         for f in FINDINGS}


def report(**kw):
    base = dict(findings=FINDINGS, level="host", shell="powershell", rules=RULES,
                project_uri=Path("/tmp/my project").as_uri())
    base.update(kw)
    return Report(**base)


def test_sarif_is_valid_against_the_published_schema():
    doc = json.loads(sarif.render(report()))
    jsonschema.Draft4Validator(SCHEMA).validate(doc)
    assert doc["version"] == "2.1.0"


def test_sarif_rules_levels_locations_fixes_and_suppressions():
    run = json.loads(sarif.render(report()))["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == list(RULES)
    assert rules[1]["help"]["text"].startswith("First paragraph.") and rules[1]["fullDescription"]["text"] == "First paragraph."
    by_rule = {r["ruleId"]: r for r in run["results"]}
    # ok and a plain skip are not results; fail/error -> error, warn -> warning
    assert set(by_rule) == {"port-2375", "backtick-continuation", "line-endings", "env-file", "pwd-path-forms"}
    assert by_rule["port-2375"]["level"] == "error" and by_rule["pwd-path-forms"]["level"] == "error"
    assert by_rule["backtick-continuation"]["level"] == "warning"
    # the fix for the detected shell (powershell) is in the message, the other shells' are not
    text = by_rule["port-2375"]["message"]["text"]
    assert "Fix (powershell): Get-NetTCPConnection" in text and "ss -ltnp" not in text
    loc = by_rule["backtick-continuation"]["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"] == {"uri": "scripts/run%20host%2C1%3Aa.ps1", "uriBaseId": "PROJECTROOT"}
    assert loc["region"] == {"startLine": 3, "startColumn": 5}
    assert run["originalUriBaseIds"]["PROJECTROOT"]["uri"] == "file:///tmp/my%20project/"
    assert by_rule["port-2375"]["ruleIndex"] == 1
    # suppressed findings stay, with SARIF's suppressions and the reason as justification
    sup = by_rule["line-endings"]["suppressions"][0]
    assert sup["kind"] == "inSource" and sup["justification"] == "vendored, fixed upstream"
    assert by_rule["line-endings"]["partialFingerprints"] == {"dindDoctorFingerprint/v1": "abc123"}
    skipped = by_rule["env-file"]
    assert skipped["kind"] == "notApplicable" and skipped["suppressions"][0]["kind"] == "external"
    assert skipped["suppressions"][0]["justification"] == "we have no compose"


def test_sarif_for_an_unknown_check_still_names_a_rule():
    doc = json.loads(sarif.render(report(rules={})))
    jsonschema.Draft4Validator(SCHEMA).validate(doc)
    assert {r["id"] for r in doc["runs"][0]["tool"]["driver"]["rules"]} >= {"port-2375"}


def test_github_escapes_data_and_properties():
    assert github.escape_data("100%\r\nok: a,b") == "100%25%0D%0Aok: a,b"
    assert github.escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"
    lines = render("github", report(path_prefix="sub dir")).splitlines()
    assert lines[0].startswith("::error title=dind-doctor port-2375::the Docker API answers without TLS on 0.0.0.0%3A2375"[:40])
    warn = next(x for x in lines if x.startswith("::warning"))
    assert warn.startswith("::warning file=sub dir/scripts/run host%2C1%3Aa.ps1,line=3,col=5,"
                           "title=dind-doctor backtick-continuation::space after backtick: 100%25 broken,%0D%0Areally")
    assert "\r" not in "".join(lines)
    # suppressed findings and ok/skip are not annotated; the summary says how many were suppressed
    assert not any("CRLF in entrypoint" in x for x in lines)
    assert lines[-1].startswith("dind-doctor: 1 ok, 1 warn, 1 fail, 1 skip, 1 error, 2 suppressed")


def test_junit_is_read_by_a_junit_parser(tmp_path):
    out = tmp_path / "junit.xml"
    out.write_text(junit.render(report()), encoding="utf-8")
    xml = junitparser.JUnitXml.fromfile(str(out))
    suite = next(iter(xml))
    cases = {c.classname: c for c in suite}
    assert suite.tests == len(FINDINGS) and suite.failures == 1 and suite.errors == 1 and suite.skipped == 3
    assert isinstance(cases["dind-doctor.port-2375"].result[0], junitparser.Failure)
    assert isinstance(cases["dind-doctor.pwd-path-forms"].result[0], junitparser.Error)
    assert "\ufffd" in cases["dind-doctor.pwd-path-forms"].name  # control characters replaced, XML still valid
    skipped = cases["dind-doctor.line-endings"].result[0]
    assert isinstance(skipped, junitparser.Skipped) and "vendored, fixed upstream" in skipped.message
    assert cases["dind-doctor.docker-socket"].is_passed
    ET.fromstring(out.read_bytes())


@pytest.mark.parametrize("fail_on,failed_checks", [
    ("ok", {"docker-socket", "port-2375", "backtick-continuation", "pwd-path-forms"}),
    ("warn", {"port-2375", "backtick-continuation", "pwd-path-forms"}),
    ("fail", {"port-2375", "pwd-path-forms"}),
    ("error", {"pwd-path-forms"}),
])
def test_fail_on_thresholds_never_count_skips_or_suppressed(fail_on, failed_checks):
    r = report(fail_on=fail_on)
    assert {f.check for f in FINDINGS if r.fails(f)} == failed_checks
    xml = ET.fromstring(junit.render(r))
    failing = {c.get("classname").split(".", 1)[1] for c in xml.iter("testcase")
               if c.find("failure") is not None or c.find("error") is not None}
    assert failing == failed_checks


def test_strict_is_fail_on_warn_and_explicit_wins():
    assert fail_on_status(False, None) == "fail"
    assert fail_on_status(True, None) == "warn"
    assert fail_on_status(True, "error") == "error"


def crlf_project(tmp_path):
    (tmp_path / "entrypoint.sh").write_bytes(b"#!/bin/sh\r\necho hi\r\n")
    (tmp_path / ".gitattributes").write_text("* text eol=lf\n")
    return tmp_path


@pytest.mark.parametrize("fail_on,code", [("warn", 1), ("fail", 1), ("error", 0)])
def test_check_command_formats_and_fail_on(tmp_path, monkeypatch, fail_on, code):
    from click.testing import CliRunner

    from dind_doctor.cli import cli

    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path}/no-engine.sock")
    project = crlf_project(tmp_path)
    runner = CliRunner()
    out = runner.invoke(cli, ["check", "line-endings", "--project", str(project), "--format", "sarif",
                              "--fail-on", fail_on])
    assert out.exit_code == code, out.output
    doc = json.loads(out.output)
    jsonschema.Draft4Validator(SCHEMA).validate(doc)
    result = doc["runs"][0]["results"][0]
    assert result["ruleId"] == "line-endings" and result["locations"][0]["physicalLocation"]["region"]["startLine"] == 1
    assert "CRLF" in doc["runs"][0]["tool"]["driver"]["rules"][0]["help"]["text"]
    strict = runner.invoke(cli, ["check", "line-endings", "--project", str(project), "--strict", "--format", "junit"])
    assert strict.exit_code == 1 and ET.fromstring(strict.output).find("testsuite").get("failures") == "1"
