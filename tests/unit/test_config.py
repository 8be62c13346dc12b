"""The config file: every key, bad types and unknown keys (exit 2 with file and line), both files at once,
excludes with `**`, and reasons kept in the outputs."""
import json
import textwrap

import pytest
from click.testing import CliRunner

from dind_doctor.cli import cli
from dind_doctor.registry import checks_by_id
from dind_doctor.config import ConfigError, load
from dind_doctor.globs import glob_matcher

KNOWN = checks_by_id()

FULL = """\
checks = ["line-endings", "port-2375", "pwd-path-forms"]
shell = "powershell"
timeout = 2.5
fail-on = "warn"

[skip]
port-2375 = "no TCP socket on our runners"

[[exclude]]
paths = ["vendor/**", "**/generated/*.sh"]
checks = ["line-endings"]
reason = "third-party code, fixed upstream"

[options.pwd-path-forms]
live-probes = 1
"""


def write(tmp_path, text, name=".dind-doctor.toml"):
    (tmp_path / name).write_text(textwrap.dedent(text), encoding="utf-8")
    return tmp_path


def test_every_key_is_read(tmp_path):
    config = load(write(tmp_path, FULL), KNOWN)
    assert config.checks == ("line-endings", "port-2375", "pwd-path-forms")
    assert config.shell == "powershell" and config.timeout == 2.5 and config.fail_on == "warn"
    assert config.skip == {"port-2375": ("no TCP socket on our runners", ".dind-doctor.toml:7")}
    (exclude,) = config.exclude
    assert exclude.reason == "third-party code, fixed upstream" and exclude.source == ".dind-doctor.toml:9"
    assert exclude.covers("line-endings", "vendor/a/b/run.sh") and exclude.covers("line-endings", "x/y/generated/g.sh")
    assert not exclude.covers("env-file", "vendor/a.sh") and not exclude.covers("line-endings", "src/run.sh")
    assert config.options == {"pwd-path-forms": {"live-probes": 1}}


def test_pyproject_section(tmp_path):
    write(tmp_path, '[project]\nname = "x"\n\n[tool.dind-doctor]\nfail-on = "error"\n\n'
                    '[tool.dind-doctor.skip]\nenv-file = "no compose here"\n', "pyproject.toml")
    config = load(tmp_path, KNOWN)
    assert config.fail_on == "error" and config.skip["env-file"] == ("no compose here", "pyproject.toml:8")
    write(tmp_path, '[tool.other]\nx = 1\n', "pyproject.toml")
    assert load(tmp_path, KNOWN).path is None  # a pyproject without the section is no config


@pytest.mark.parametrize("text,line,words", [
    ('shell = "bash"\nbogus = 1\n', 2, "unknown key 'bogus'"),
    ('timeout = "5"\n', 1, "`timeout` must be a number"),
    ('timeout = true\n', 1, "`timeout` must be a number"),
    ('fail-on = "sometimes"\n', 1, "must be one of ok, warn, fail, error"),
    ('shell = "fish"\n', 1, "must be one of auto, powershell"),
    ('checks = "line-endings"\n', 1, "must be a list of check ids"),
    ('checks = ["no-such-check"]\n', 1, "unknown check id 'no-such-check'"),
    ('\n[skip]\nport-2375 = ""\n', 3, "skipping port-2375 needs a reason"),
    ('\n[skip]\nport-2375 = 1\n', 3, "needs a reason"),
    ('[[exclude]]\npaths = ["a/**"]\n', 1, "an exclude needs a `reason`"),
    ('[[exclude]]\npaths = ["a"]\nreason = "r"\n\n[[exclude]]\npaths = []\nreason = "r"\n', 6, "needs `paths`"),
    ('[[exclude]]\npaths = ["a"]\nreason = "r"\nwhy = 2\n', 4, "unknown key 'why' in an exclude"),
    ('[options.pwd-path-forms]\nlive-probes = "3"\n', 2, "must be int"),
    ('[options.pwd-path-forms]\nlive-probes = -1\n', 2, "at least 0"),
    ('[options.pwd-path-forms]\nprobes = 3\n', 2, "pwd-path-forms has no option 'probes'"),
    ('[options.line-endings]\nx = 3\n', 2, "line-endings has no option 'x' (its options: none)"),
    ('shell = "bash\n', 1, "not valid TOML"),
])
def test_bad_config_is_exit_2_with_file_and_line(tmp_path, text, line, words):
    write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load(tmp_path, KNOWN)
    message = str(info.value)
    assert words in message
    if words == "not valid TOML":  # tomllib's own message carries the position
        assert message.startswith(".dind-doctor.toml: not valid TOML") and f"line {line}" in message
    else:
        assert message.startswith(f".dind-doctor.toml:{line}:"), message
    result = CliRunner().invoke(cli, ["check", "--project", str(tmp_path)])
    assert result.exit_code == 2 and words in result.output and "Traceback" not in result.output


def test_both_files_is_a_clear_error(tmp_path):
    write(tmp_path, 'fail-on = "warn"\n')
    write(tmp_path, '[tool.dind-doctor]\nfail-on = "error"\n', "pyproject.toml")
    result = CliRunner().invoke(cli, ["check", "--project", str(tmp_path)])
    assert result.exit_code == 2 and "both .dind-doctor.toml and [tool.dind-doctor] in pyproject.toml" in result.output


@pytest.mark.parametrize("pattern,yes,no", [
    ("vendor/**", ["vendor/a.sh", "vendor/x/y/z.sh"], ["src/vendor/a.sh", "vendorx/a.sh"]),
    ("**/gen/*.sh", ["gen/a.sh", "a/b/gen/c.sh"], ["gen/x/c.sh", "gen/a.ps1"]),
    ("*.ps1", ["a.ps1", "deep/er/a.ps1"], ["a.ps1.bak"]),
    ("docs/", ["docs/a.md", "docs/x/y"], ["src/docs/a.md"]),
    ("a/**/b/*.txt", ["a/b/c.txt", "a/x/y/b/c.txt"], ["a/b/x/c.txt"]),
    ("s?.sh", ["s1.sh"], ["s12.sh", "s/.sh"]),
])
def test_exclude_globs(pattern, yes, no):
    match = glob_matcher([pattern])
    assert all(match(p) for p in yes) and not any(match(p) for p in no)


def crlf_project(tmp_path):
    (tmp_path / "vendor" / "lib").mkdir(parents=True)
    (tmp_path / "vendor" / "lib" / "entrypoint.sh").write_bytes(b"#!/bin/sh\r\necho hi\r\n")
    (tmp_path / "run.sh").write_bytes(b"#!/bin/sh\r\necho hi\r\n")
    (tmp_path / ".gitattributes").write_text("* text eol=lf\n")
    return tmp_path


def test_config_drives_the_run_and_reasons_stay_in_json_and_sarif(tmp_path, monkeypatch):
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path}/no-engine.sock")
    write(crlf_project(tmp_path), FULL)
    runner = CliRunner()
    report = json.loads(runner.invoke(cli, ["check", "--project", str(tmp_path), "--format", "json"]).output)
    assert report["shell"] == "powershell" and report["fail_on"] == "warn"  # from the config
    by_path = {(f["check"], (f["location"] or {}).get("path")): f for f in report["findings"]}
    vendored = by_path[("line-endings", "vendor/lib/entrypoint.sh")]
    assert vendored["suppression"] == {"reason": "third-party code, fixed upstream",
                                       "source": ".dind-doctor.toml:9", "kind": "config"}
    assert by_path[("line-endings", "run.sh")]["suppression"] is None
    skipped = by_path[("port-2375", None)]
    assert skipped["status"] == "skip" and skipped["suppression"]["reason"] == "no TCP socket on our runners"
    assert report["suppressed"] == 2 and report["counts"]["fail"] == 1
    sarif = json.loads(runner.invoke(cli, ["check", "--project", str(tmp_path), "--format", "sarif"]).output)
    reasons = {s["justification"] for r in sarif["runs"][0]["results"] for s in r.get("suppressions", [])}
    assert reasons == {"third-party code, fixed upstream", "no TCP socket on our runners"}
    # the command line wins: --shell, and CHECK_IDs run even when the config skips them
    out = json.loads(runner.invoke(cli, ["check", "port-2375", "--project", str(tmp_path), "--shell", "bash",
                                         "--format", "json"]).output)
    assert out["shell"] == "bash" and all(f["suppression"] is None for f in out["findings"])


def test_fix_never_rewrites_an_excluded_file(tmp_path, monkeypatch):
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path}/no-engine.sock")
    monkeypatch.setenv("DIND_DOCTOR_BACKUP_DIR", str(tmp_path.parent / f"{tmp_path.name}-backups"))
    project = crlf_project(tmp_path)
    write(project, '[[exclude]]\npaths = ["vendor/**"]\nreason = "third-party code"\n')
    result = CliRunner().invoke(cli, ["check", "line-endings", "--fix", "--project", str(project), "--format", "json"])
    assert b"\r" not in (project / "run.sh").read_bytes()  # fixed
    assert (project / "vendor" / "lib" / "entrypoint.sh").read_bytes() == b"#!/bin/sh\r\necho hi\r\n"  # left alone
    refused = [f for f in json.loads(result.output)["findings"] if f["location"]
               and f["location"]["path"] == "vendor/lib/entrypoint.sh"]
    assert refused and all(f["suppression"]["reason"] == "third-party code" for f in refused)
    assert result.exit_code == 0
