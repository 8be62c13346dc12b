"""env-file's live probe judged from what `docker compose config` passes (hashes), without a daemon: which
keys come from which env_file, and the verdicts."""
from __future__ import annotations

from pathlib import Path

import pytest

from checks.env_file import EnvFile
from checks.env_file_content import Parsed
from checks.env_file_probe import Seen, judged_keys, read_alike, verdict
from dind_doctor.model import Status
from dind_doctor.project.compose_loader import ComposeLoader
from dind_doctor.project.dotenv_lint import digest
from dind_doctor.project.files import ProjectFiles


def service_and_refs(tmp_path: Path, service_yaml: str):
    (tmp_path / "compose.yaml").write_text("services:\n  m:\n    image: i\n" + service_yaml, encoding="utf-8")
    project = ComposeLoader(ProjectFiles(tmp_path), {}).project(tmp_path / "compose.yaml")
    service = project.services["m"]
    return service, list(service.env_files)


def test_keys_set_by_environment_or_a_later_env_file_are_not_judged(tmp_path):
    service, (first, second) = service_and_refs(
        tmp_path, "    env_file: [a.env, b.env]\n    environment:\n      OVERRIDE: x\n")
    a = Parsed(first, {"A": "1", "B": "2", "OVERRIDE": "3"}, ["A", "B", "OVERRIDE"])
    b = Parsed(second, {"B": "later"}, ["B"])
    checked = {first.path: a, second.path: b}
    assert judged_keys(service, a, a.needed, checked) == ["A"]
    assert judged_keys(service, b, b.needed, checked) == ["B"]
    # a later env_file that could not be read may set anything: nothing of the earlier one is judged
    assert judged_keys(service, a, ["A"], {first.path: a}) == []


def test_verdicts_from_passed_hashes(tmp_path):
    _, (ref,) = service_and_refs(tmp_path, "    env_file: .env\n")
    parsed = Parsed(ref, {"A": "alpha", "B": "beta", "C": "", "D": "d"}, ["A", "B", "C", "D"])
    check = EnvFile()
    ok = verdict(check, Seen.from_passed({"A": (digest("alpha"), False)}, ["A"]), parsed, ["A"], ".env", {})
    assert ok.status is Status.OK
    differ = verdict(check, Seen.from_passed({"B": (digest("beta-interpolated"), False)}, ["B"]), parsed, ["B"],
                     ".env", {})
    assert differ.status is Status.WARN and "B" in differ.summary and "beta" not in differ.summary
    passed = {"C": (digest(""), False), "D": (digest("d\r"), True)}
    bad = verdict(check, Seen.from_passed(passed, ["A", "C", "D"]), parsed, ["A", "C", "D"], ".env", {})
    assert bad.status is Status.FAIL
    assert "missing: A" in bad.summary and "empty: C" in bad.summary and "ending in CR: D" in bad.summary


@pytest.mark.parametrize("text,alike", [
    ("# comment\nA=1\n\nURI=postgresql://u:p-w@host.example:5432/db_x\n", True),
    ("A=\n", True),  # empty: both read "", the verdict says so
    ("A='x'\n", False), ('A="x"\n', False), ("A=x # note\n", False), ("A=${B}\n", False), ("A=a$b\n", False),
    ("A=x\\y\n", False), ("A=x \n", False), (" A=x\n", False), ("export A=x\n", False), ("A=x\r\n", False),
    ("A\n", False), ("A=1\nA=2\n", False), ("\ufeffA=1\n", False),
])
def test_plain_lines_settle_the_probe(text, alike):
    assert read_alike(text) is alike


def test_a_plain_file_is_judged_without_compose(tmp_path):
    from types import SimpleNamespace

    from checks.env_file_probe import probe_one

    _, (ref,) = service_and_refs(tmp_path, "    env_file: .env\n")
    (tmp_path / ".env").write_text("A=alpha\nB=\n", encoding="utf-8")
    parsed = Parsed(ref, {"A": "alpha", "B": ""}, ["A", "B"])
    ctx = SimpleNamespace(project_model=None)  # compose is not asked: no model, no child
    finding = probe_one(EnvFile(), ctx, ProjectFiles(tmp_path), parsed, ["A", "B"], {ref.path: parsed})
    assert finding.status is Status.FAIL and finding.summary == "through compose: empty: B"
    assert finding.evidence["probe"].startswith("not run: every line is a plain KEY=value")
