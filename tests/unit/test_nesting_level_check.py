"""The nesting-level check's verdicts on the reports nesting detection produces (no daemon needed)."""
from types import SimpleNamespace

from dind_doctor.model import Level, Status
from dind_doctor.nesting import NestingReport
from dind_doctor.checks.nesting_level import NestingLevel


def ctx_with(report: NestingReport):
    # engine_error set: the privileged probe is not attempted, only the report is judged.
    return SimpleNamespace(nesting=lambda: report, engine_error="no engine in unit tests")


def test_socket_mount_with_privileged_warns():
    report = NestingReport(Level.DOOD, True, "c" * 64, True, True, reason="in a container...")
    findings = NestingLevel().run(ctx_with(report))
    assert [f.status for f in findings] == [Status.OK, Status.WARN]
    assert "--privileged" in findings[1].summary and "run_host.ps1" in findings[1].fixes[0].text


def test_dood_without_privileged_is_clean():
    report = NestingReport(Level.DOOD, True, "c" * 64, True, False, reason="r")
    assert [f.status for f in NestingLevel().run(ctx_with(report))] == [Status.OK]


def test_unknown_container_level_warns():
    report = NestingReport(Level.CONTAINER, True, None, False, None, reason="no daemon answers")
    [finding] = NestingLevel().run(ctx_with(report))
    assert finding.status is Status.WARN and "level unknown" in finding.summary


def test_a_privileged_dood_container_settles_the_privileged_probe():
    report = NestingReport(Level.DOOD, True, "c" * 64, True, True, reason="in a container...")

    def no_probe(key, build):
        raise AssertionError(f"{key}: the report settles it, no container is started")

    ctx = SimpleNamespace(nesting=lambda: report, engine_error=None, memo=no_probe)
    findings = NestingLevel().run(ctx)
    assert [f.status for f in findings] == [Status.OK, Status.WARN, Status.OK]
    assert findings[2].evidence["probe"].startswith("not run: this container itself runs privileged")
    NestingLevel().warm(ctx)  # starts nothing either
