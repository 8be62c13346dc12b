"""Inline suppressions: every comment syntax, the reason kept in the outputs, unused ones reported."""
import json

import pytest
from click.testing import CliRunner

from dind_doctor.cli import cli
from dind_doctor.model import Finding, Location, Status
from dind_doctor.suppress import ID, apply_inline, comments_in


@pytest.mark.parametrize("line,ids,reason", [
    ("# dind-doctor: ignore[line-endings] generated on Windows", ("line-endings",), "generated on Windows"),
    ("docker run `  # dind-doctor: ignore[backtick-continuation] kept for the demo", ("backtick-continuation",),
     "kept for the demo"),
    ("<# dind-doctor: ignore[backtick-continuation] legacy script #>", ("backtick-continuation",), "legacy script"),
    ("REM dind-doctor: ignore[pwd-path-forms] cmd only", ("pwd-path-forms",), "cmd only"),
    ("@rem dind-doctor: ignore[pwd-path-forms] cmd only", ("pwd-path-forms",), "cmd only"),
    (":: dind-doctor: ignore[pwd-path-forms, line-endings] both", ("pwd-path-forms", "line-endings"), "both"),
    ("  image: x  # dind-doctor: ignore[env-file] yaml trailing", ("env-file",), "yaml trailing"),
    ("# DIND-DOCTOR: IGNORE[env-file] upper case", ("env-file",), "upper case"),
    ("# dind-doctor: ignore[env-file]", ("env-file",), ""),
])
def test_comment_syntaxes(line, ids, reason):
    (c,) = comments_in("f", f"first\n{line}\r\n")
    assert (c.line, c.ids, c.reason) == (2, ids, reason)


@pytest.mark.parametrize("line", ["echo dind-doctor: ignore[env-file] x", "remark dind-doctor: ignore[env-file] x",
                                  "# dind-doctor ignore[env-file] x"])
def test_not_a_suppression(line):
    assert comments_in("f", line) == []


def test_matching_on_the_line_or_the_line_before_and_unused_reported():
    text = "a\n# dind-doctor: ignore[line-endings] why\nb\nc\n# dind-doctor: ignore[env-file] stale\n"
    findings = [Finding("line-endings", Status.FAIL, "x", location=Location("f.sh", 3)),
                Finding("line-endings", Status.FAIL, "y", location=Location("f.sh", 4)),
                Finding("env-file", Status.OK, "fine", location=Location("f.sh", 5))]
    out = apply_inline(findings, [("f.sh", text)], ran={"line-endings", "env-file"},
                       known={"line-endings", "env-file"})
    assert out[0].suppression.reason == "why" and out[0].suppression.source == "f.sh:2"
    assert out[0].suppression.kind == "inline"
    assert out[1].suppression is None and out[2].suppression is None  # line 4: too far; ok findings stay
    (stale,) = [f for f in out if f.check == ID]
    assert stale.status is Status.WARN and stale.location == Location("f.sh", 5) and "stale" in stale.summary
    # a suppression for a check that did not run is not judged
    out = apply_inline(findings[:1], [("f.sh", text)], ran={"line-endings"}, known={"line-endings", "env-file"})
    assert not [f for f in out if f.check == ID]


def project(tmp_path):
    crlf = {
        "run.sh": "#!/bin/sh\n# dind-doctor: ignore[line-endings] shell comment\necho hi\n",
        "tool.py": "#!/usr/bin/env python3\n# dind-doctor: ignore[line-endings] python comment\nprint(1)\n",
        "Dockerfile": "# dind-doctor: ignore[line-endings] Dockerfile comment\nFROM busybox\n",
        "compose.yaml": "# dind-doctor: ignore[line-endings] YAML comment\nservices:\n  a:\n    image: busybox\n",
        ".env": "# dind-doctor: ignore[line-endings] .env comment\nA=1\n",
    }
    for name, text in crlf.items():
        (tmp_path / name).write_bytes(text.replace("\n", "\r\n").encode())
    (tmp_path / ".gitattributes").write_text("* text eol=lf\n")
    (tmp_path / "a.ps1").write_text("<# dind-doctor: ignore[backtick-continuation] PowerShell block comment #>\n"
                                    "docker run ` \n  -v x:/x busybox\n"
                                    "# dind-doctor: ignore[backtick-continuation] PowerShell line comment\n"
                                    "docker run ` \n  -v y:/y busybox\n")
    (tmp_path / "run.bat").write_text("REM dind-doctor: ignore[pwd-path-forms] cmd REM\r\n"
                                      "docker run -v $(pwd):/app busybox\r\n")
    (tmp_path / "go.cmd").write_text(":: dind-doctor: ignore[pwd-path-forms] cmd colons\r\n"
                                     "docker run -v $(pwd):/app busybox\r\n"
                                     ":: dind-doctor: ignore[pwd-path-forms] nothing here\r\necho done\r\n")
    return tmp_path


def test_every_syntax_on_real_checks_reasons_in_json_sarif_junit(tmp_path, monkeypatch):
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path}/no-engine.sock")
    args = ["check", "line-endings", "backtick-continuation", "pwd-path-forms", "--project", str(project(tmp_path))]
    runner = CliRunner()
    result = runner.invoke(cli, args + ["--format", "json"])
    report = json.loads(result.output)
    reasons = {f["suppression"]["reason"] for f in report["findings"] if f["suppression"]}
    assert reasons >= {"shell comment", "python comment", "Dockerfile comment", "YAML comment", ".env comment",
                       "PowerShell block comment", "PowerShell line comment", "cmd REM", "cmd colons"}
    assert all(f["suppression"]["kind"] == "inline" for f in report["findings"] if f["suppression"])
    problems = [f for f in report["findings"] if f["suppression"] is None and f["status"] in ("warn", "fail")]
    assert [(f["check"], f["location"]) for f in problems] == [(ID, {"path": "go.cmd", "line": 3})]
    assert result.exit_code == 0  # a stale suppression warns; the default --fail-on is fail
    sarif = json.loads(runner.invoke(cli, args + ["--format", "sarif"]).output)
    justifications = {s["justification"] for r in sarif["runs"][0]["results"] for s in r.get("suppressions", [])}
    assert "cmd colons" in justifications and all(
        s["kind"] == "inSource" for r in sarif["runs"][0]["results"] for s in r.get("suppressions", []))
    assert "cmd REM" in runner.invoke(cli, args + ["--format", "junit"]).output
    assert runner.invoke(cli, args + ["--fail-on", "warn"]).exit_code == 1


def test_explain_knows_the_suppression_warnings():
    out = CliRunner().invoke(cli, ["explain", ID])
    assert out.exit_code == 0 and "stale" in out.output and "<# dind-doctor: ignore[" in out.output
