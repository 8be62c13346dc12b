"""Baselines: fingerprints survive moved lines, hold no content, and only new findings are reported."""
import json
from collections import Counter

from click.testing import CliRunner

from dind_doctor.baseline import fingerprint, only_new, read
from dind_doctor.cli import cli
from dind_doctor.model import Finding, Location, Status


def test_fingerprint_ignores_the_line_number_and_whitespace_but_not_the_text():
    a = Finding("line-endings", Status.FAIL, "x", location=Location("a.sh", 3))
    b = Finding("line-endings", Status.FAIL, "x", location=Location("a.sh", 30))
    assert fingerprint(a, "docker  run -v x") == fingerprint(b, "  docker run -v x\t")
    assert fingerprint(a, "docker run -v x") != fingerprint(a, "docker run -v y")
    other_path = Finding("line-endings", Status.FAIL, "x", location=Location("b.sh", 3))
    assert fingerprint(a, "same") != fingerprint(other_path, "same")
    # no file: the summary without its digits (pids, ports, counts change between runs)
    assert fingerprint(Finding("port-2375", Status.FAIL, "pid 12 on :2375"), None) == \
        fingerprint(Finding("port-2375", Status.FAIL, "pid 977 on :2375"), None)


def project(tmp_path):
    (tmp_path / ".gitattributes").write_text("* text eol=lf\n")
    (tmp_path / "old.sh").write_bytes(b"#!/bin/sh\r\necho 'do not store me'\r\n")
    return tmp_path


def run(*args):
    return CliRunner().invoke(cli, list(args))


def test_baseline_then_check_reports_only_new_findings(tmp_path, monkeypatch):
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path}/no-engine.sock")
    p = project(tmp_path)
    made = run("baseline", "line-endings", "--project", str(p))
    assert made.exit_code == 0 and "1 finding(s) recorded" in made.output
    file = p / ".dind-doctor-baseline.json"
    text = file.read_text()
    assert "do not store me" not in text and "#!/bin/sh" not in text and '"line"' not in text
    (entry,) = json.loads(text)["fingerprints"]
    assert entry["check"] == "line-endings" and entry["path"] == "old.sh" and len(entry["hash"]) == 24

    assert run("check", "line-endings", "--project", str(p)).exit_code == 1
    known = run("check", "line-endings", "--project", str(p), "--baseline", str(file), "--format", "json")
    report = json.loads(known.output)
    assert known.exit_code == 0 and report["findings"] == [] and report["baseline"]["known"] == 1

    # the same problem moved down by an edit above it is still known; a new file is new
    (p / "old.sh").write_bytes(b"#!/bin/sh\r\n# a new comment\r\n")
    (p / "new.sh").write_bytes(b"#!/bin/sh\r\necho new\r\n")
    again = run("check", "line-endings", "--project", str(p), "--baseline", str(file), "--format", "json")
    report = json.loads(again.output)
    assert again.exit_code == 1 and report["baseline"]["known"] == 1
    assert [f["location"]["path"] for f in report["findings"]] == ["new.sh"]
    table = run("check", "line-endings", "--project", str(p), "--baseline", str(file))
    assert "1 known to the baseline" in table.output


def test_each_known_fingerprint_covers_one_finding():
    f = Finding("c", Status.FAIL, "x", location=Location("a", 1), fingerprint="h")
    left, matched = only_new([f, f], Counter({("c", "a", "h"): 1}))
    assert matched == 1 and left == [f]


def test_bad_baseline_is_exit_2(tmp_path):
    bad = tmp_path / "b.json"
    bad.write_text("{not json")
    result = run("check", "--project", str(tmp_path), "--baseline", str(bad))
    assert result.exit_code == 2 and "is not a dind-doctor baseline" in result.output
    missing = run("check", "--project", str(tmp_path), "--baseline", str(tmp_path / "none.json"))
    assert missing.exit_code == 2 and "cannot read the baseline" in missing.output
    bad.write_text('{"schema": 1, "fingerprints": [{"check": "c", "path": null, "hash": "h"}]}')
    assert read(bad) == Counter({("c", "", "h"): 1})


def test_a_finding_moved_by_lines_added_above_stays_known(tmp_path, monkeypatch):
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path}/no-engine.sock")
    script = tmp_path / "run.ps1"
    script.write_text("docker run -v $(pwd):/app busybox\n")
    file = tmp_path / "base.json"
    assert run("baseline", "pwd-path-forms", "--project", str(tmp_path), "-o", str(file)).exit_code == 0
    assert json.loads(file.read_text())["fingerprints"]
    script.write_text("# setup\nWrite-Host 'hi'\n\ndocker run -v $(pwd):/app busybox\n")
    moved = json.loads(run("check", "pwd-path-forms", "--project", str(tmp_path), "--baseline", str(file),
                           "--format", "json").output)
    assert moved["baseline"]["known"] >= 1
    assert not [f for f in moved["findings"] if f["status"] in ("warn", "fail")]
    script.write_text("docker run -v $(pwd):/other busybox\n")  # the line changed: a new finding
    changed = json.loads(run("check", "pwd-path-forms", "--project", str(tmp_path), "--baseline", str(file),
                             "--format", "json").output)
    assert [f for f in changed["findings"] if f["status"] in ("warn", "fail")]
