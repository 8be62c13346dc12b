"""Plugins are found through entry points exactly like the built-ins; failures become findings."""
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from dind_doctor import registry
from dind_doctor.check import Check
from dind_doctor.cli import cli
from dind_doctor.context import Context
from dind_doctor.model import Status
from dind_doctor.registry import LoadFailure
from dind_doctor.runner import run_checks

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "example-plugin"


def fake_distribution(site: Path, name: str, entry_points: dict[str, str]) -> None:
    """A minimal installed distribution (dist-info with entry_points.txt), as flake8's tests do."""
    info = site / f"{name.replace('-', '_')}-0.1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 0.1.0\n")
    lines = "\n".join(f"{k} = {v}" for k, v in entry_points.items())
    (info / "entry_points.txt").write_text(f"[dind_doctor.checks]\n{lines}\n")


@pytest.fixture
def site(tmp_path, monkeypatch):
    site = tmp_path / "site"
    site.mkdir()
    monkeypatch.syspath_prepend(str(site))
    yield site
    for mod in [m for m in sys.modules if m.startswith(("dind_doctor_example", "broken_plugin"))]:
        del sys.modules[mod]


def test_builtins_are_entry_points():
    ids = [ep.name for ep in registry.discover()]
    assert {"docker-socket", "port-2375", "nesting-level"} <= set(ids)
    assert ids == sorted(ids)


def test_example_plugin_from_the_readme_is_discovered_and_runs(site, monkeypatch, tmp_path):
    monkeypatch.syspath_prepend(str(EXAMPLE))
    fake_distribution(site, "dind-doctor-example",
                      {"compose-file-present": "dind_doctor_example.compose_file_present:ComposeFilePresent"})
    project = tmp_path / "proj"
    project.mkdir()
    result = CliRunner().invoke(cli, ["check", "compose-file-present", "--project", str(project),
                                      "--format", "json", "--shell", "powershell"])
    assert result.exit_code == 0, result.output
    assert '"status": "warn"' in result.output and "New-Item compose.yaml" in result.output
    (project / "compose.yaml").write_text("services: {}\n")
    result = CliRunner().invoke(cli, ["check", "compose-file-present", "--project", str(project), "--strict"])
    assert result.exit_code == 0 and "compose.yaml found" in result.output


def test_plugin_that_fails_to_import_is_an_error_finding_naming_its_package(site, tmp_path):
    (site / "broken_plugin.py").write_text("raise ImportError('needs libfoo')\n")
    fake_distribution(site, "broken-plugin", {"broken": "broken_plugin:Check"})
    items = {i.id: i for i in registry.load_all()}
    failure = items["broken"]
    assert isinstance(failure, LoadFailure) and failure.package == "broken-plugin"
    result = CliRunner().invoke(cli, ["check", "broken", "--project", str(tmp_path), "--format", "json"])
    assert result.exit_code == 1
    assert "broken-plugin" in result.output and "needs libfoo" in result.output and '"status": "error"' in result.output


def test_entry_point_name_must_match_check_id(site):
    (site / "broken_plugin.py").write_text(
        "from dind_doctor.check import Check\nclass C(Check):\n    id = 'other'\n    title = 't'\n")
    fake_distribution(site, "broken-plugin", {"mismatch": "broken_plugin:C"})
    failure = {i.id: i for i in registry.load_all()}["mismatch"]
    assert isinstance(failure, LoadFailure) and "differs from the check id" in failure.error


class Sleepy(Check):
    id, title, time_limit = "sleepy", "sleeps", 0.3

    def run(self, ctx):
        time.sleep(5)
        return [self.finding(Status.OK, "late")]


class Crashy(Check):
    id, title = "crashy", "crashes"

    def run(self, ctx):
        raise ValueError("boom")


class Quiet(Check):
    id, title = "quiet", "returns nothing"

    def run(self, ctx):
        return []


class Fine(Check):
    id, title = "fine", "fine"

    def run(self, ctx):
        return [self.finding(Status.OK, "fine")]


@pytest.fixture
def offline_ctx(tmp_path):
    # An endpoint that cannot answer: the runner must not depend on a daemon for these checks.
    return Context(project=tmp_path, shell="bash", env={"DOCKER_HOST": f"unix://{tmp_path}/none.sock"}, timeout=0.5)


def test_runner_turns_timeouts_crashes_and_silence_into_error_findings_in_order(offline_ctx):
    started = time.monotonic()
    findings = run_checks(offline_ctx, [Sleepy, Crashy, Quiet, Fine])
    assert time.monotonic() - started < 3
    assert [(f.check, f.status) for f in findings] == [
        ("sleepy", Status.ERROR), ("crashy", Status.ERROR), ("quiet", Status.ERROR), ("fine", Status.OK)]
    assert "timed out" in findings[0].summary and "ValueError: boom" in findings[1].summary


class NeedsEngine(Fine):
    id, needs_engine = "needs-engine", True


def test_checks_needing_the_engine_skip_when_it_is_unreachable(offline_ctx):
    [finding] = run_checks(offline_ctx, [NeedsEngine])
    assert finding.status is Status.SKIP and "nothing answers" in finding.summary


class Recorded(Check):
    """Notes the thread it ran on and whether another check ran at the same time."""

    project_check = True
    running: list[str] = []
    overlaps = 0

    def run(self, ctx):
        import threading
        if Recorded.running:
            Recorded.overlaps += 1
        Recorded.running.append(self.id)
        time.sleep(0.02)  # long enough for a concurrent check to start, if any were
        Recorded.running.remove(self.id)
        return [self.finding(Status.OK, str(threading.get_ident()))]


def recorded(name: str, project_check: bool = True) -> type[Check]:
    return type(name, (Recorded,), {"id": name, "title": name, "project_check": project_check})


class SleepyProject(Sleepy):
    project_check = True


class CrashyProject(Crashy):
    project_check = True


def test_static_checks_run_one_after_another_on_one_thread_each_under_its_own_limit(tmp_path):
    """In --static mode every check holds the GIL: one thread, no overlap. A check past its limit is an
    error finding and the checks after it still run, on the next thread, each timed from its own start."""
    ctx = Context(project=tmp_path, shell="bash", env={"DOCKER_HOST": f"unix://{tmp_path}/none.sock"}, timeout=0.5)
    ctx.static = True
    Recorded.overlaps = 0
    before = [recorded(f"before-{n}") for n in range(3)]
    after = [recorded(f"after-{n}") for n in range(3)]
    started = time.monotonic()
    findings = run_checks(ctx, [*before, SleepyProject, CrashyProject, *after])
    assert time.monotonic() - started < 3
    assert Recorded.overlaps == 0
    assert [(f.check, f.status) for f in findings] == [
        *((c.id, Status.OK) for c in before), ("sleepy", Status.ERROR), ("crashy", Status.ERROR),
        *((c.id, Status.OK) for c in after)]
    assert "timed out after 0.3 s" in findings[3].summary and "ValueError: boom" in findings[4].summary
    # Two threads in all: the first is still in sleepy's sleep, so its id cannot have been reused.
    threads = [f.summary for f in findings if f.check.startswith(("before", "after"))]
    assert len(set(threads[:3])) == 1 and len(set(threads[3:])) == 1 and threads[0] != threads[3]


def test_live_engine_checks_each_get_a_thread_and_project_checks_share_one(offline_ctx):
    """Outside --static, the engine and host checks wait on the daemon at the same time, while the project
    checks run one after another on one more thread."""
    Recorded.overlaps = 0
    engine = [recorded(f"engine-{n}", project_check=False) for n in range(4)]
    findings = run_checks(offline_ctx, engine)
    assert [f.status for f in findings] == [Status.OK] * 4
    assert len({f.summary for f in findings}) == 4 and Recorded.overlaps > 0
    project = [recorded(f"project-{n}") for n in range(3)]
    findings = run_checks(offline_ctx, [*project, *engine])
    assert [f.status for f in findings] == [Status.OK] * 7
    assert len({f.summary for f in findings[:3]}) == 1  # one thread for the project checks
    assert len({f.summary for f in findings}) == 5


class Counted(Check):
    project_check = True
    runs: list[str] = []

    def run(self, ctx):
        Counted.runs.append(self.id)
        return [self.finding(Status.OK, "counted")]


class Late(Check):
    """Past its limit, then done: the thread it held goes on, and must not run the checks after it."""

    id, title, time_limit, project_check = "late", "late", 0.1, True

    def run(self, ctx):
        time.sleep(0.4)
        return [self.finding(Status.OK, "late")]


def test_the_checks_after_a_timeout_run_once(tmp_path):
    ctx = Context(project=tmp_path, shell="bash", env={"DOCKER_HOST": f"unix://{tmp_path}/none.sock"}, timeout=0.5)
    ctx.static = True
    Counted.runs = []
    after = [type(f"after{n}", (Counted,), {"id": f"after-{n}", "title": "t"}) for n in range(3)]
    findings = run_checks(ctx, [Late, *after])
    time.sleep(0.8)  # the late check has returned on its old thread meanwhile
    assert [f.status for f in findings] == [Status.ERROR, Status.OK, Status.OK, Status.OK]
    assert Counted.runs == ["after-0", "after-1", "after-2"]


def test_the_runner_sleeps_through_a_lane_of_quick_checks(tmp_path, monkeypatch):
    """It wakes when the lane is done, not at every check: each wake-up takes the GIL from the lane (on a
    loaded machine, a wait for the runner's thread to be scheduled)."""
    from dind_doctor import runner

    sleeps: list[float] = []
    real_sleep = runner._Lane._sleep

    def counted(self, seconds):
        sleeps.append(seconds)
        return real_sleep(self, seconds)

    monkeypatch.setattr(runner._Lane, "_sleep", counted)
    ctx = Context(project=tmp_path, shell="bash", env={"DOCKER_HOST": f"unix://{tmp_path}/none.sock"}, timeout=0.5)
    ctx.static = True
    Counted.runs = []
    quick = [type(f"quick{n}", (Counted,), {"id": f"quick-{n}", "title": "t"}) for n in range(20)]
    findings = run_checks(ctx, quick)
    assert [f.status for f in findings] == [Status.OK] * 20 and len(Counted.runs) == 20
    assert len(sleeps) == 1  # one sleep for the whole lane
