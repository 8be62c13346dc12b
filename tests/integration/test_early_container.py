"""nesting-level's privileged probe started over the raw unix socket before docker-py is imported
(engine/early_container.py), on the real engine: the container carries the run's labels and the config
docker-py would give it, the verdict is the one today's path gives, a failed raw path leaves nothing, and a
run that never connected docker-py still removes it. Only this test's runs (their run ids) are looked at."""
from __future__ import annotations

import os
import uuid

import pytest

from checks.nesting_level import PROBE_COMMAND, PROBE_OPTIONS, privileged_outcome
from dind_doctor.context import Context
from dind_doctor.engine.cleanup import cleanup_run, leftovers
from dind_doctor.engine.early import EARLY_KEY
from dind_doctor.engine.early_container import EarlyContainer, start_early
from dind_doctor.engine.errors import ImageUnavailable, ProbeError
from dind_doctor.engine.probes import run_probe
from support import REPO

SEED = REPO / "tests" / "fixtures" / "seed_project"


def _context(**env: str) -> Context:
    ctx = Context(project=SEED, shell="bash", env=dict(os.environ, **env), platform="linux", timeout=30)
    if ctx.endpoint is None or ctx.endpoint.socket_path is None or ctx.endpoint.tls is not None:
        pytest.skip("the engine is not reached through a plain unix socket here: no raw path")
    return ctx


def _started(ctx: Context) -> EarlyContainer:
    start_early(ctx, PROBE_COMMAND, **PROBE_OPTIONS)
    [early] = ctx.memo_peek(EARLY_KEY).values()
    early.thread.join(60)
    assert not early.thread.is_alive()
    return early


def _verdict(outcome: object) -> tuple[str, object]:
    if isinstance(outcome, ProbeError):
        return type(outcome).__name__, str(outcome)
    return "result", (outcome.exit_code, outcome.output)  # type: ignore[attr-defined]


def test_the_early_probe_carries_the_runs_labels_and_is_gone_after_the_run(docker_client):
    ctx = _context()
    try:
        early = _started(ctx)
        assert early.started and early.name, "the raw create and start did not both get an answer"
        attrs = docker_client.containers.get(early.name).attrs
        # the run's labels (its id, the owner) besides the image's own
        assert ctx.resources.labels("probe").items() <= attrs["Config"]["Labels"].items()
        assert attrs["HostConfig"]["Privileged"] is True and attrs["HostConfig"]["NetworkMode"] == "none"
        assert attrs["Config"]["Cmd"] == PROBE_COMMAND and attrs["Config"]["Image"] == os.environ.get(
            "DIND_DOCTOR_PROBE_IMAGE", "busybox:latest")
        outcome = privileged_outcome(ctx)
        assert early.name not in leftovers(docker_client, ctx.run_id)["containers"]  # removed by its user
    finally:
        cleanup_run(ctx, sweep=False)
        ctx.close()
    assert leftovers(docker_client, ctx.run_id) == {"containers": [], "networks": [], "volumes": []}

    # The same probe through docker-py alone: the same verdict, in the same words.
    plain = _context()
    try:
        try:
            expected = run_probe(plain, PROBE_COMMAND, **PROBE_OPTIONS)
        except ProbeError as exc:
            expected = exc
    finally:
        cleanup_run(plain, sweep=False)
        plain.close()
    assert _verdict(outcome) == _verdict(expected)


def test_a_raw_path_that_fails_falls_back_and_leaves_nothing(docker_client):
    absent = f"dind-doctor-test/absent:{uuid.uuid4().hex[:8]}"
    ctx = _context(DIND_DOCTOR_PROBE_IMAGE=absent)
    try:
        early = _started(ctx)
        assert not early.started and early.name is None  # the daemon said no such image: nothing made
        assert ctx.resources.registered["container"] == [] and not ctx.resources.uncertain
        outcome = privileged_outcome(ctx)  # today's path: it tries to pull, and says why it could not
        assert isinstance(outcome, ImageUnavailable), outcome
    finally:
        report = cleanup_run(ctx, sweep=False)
        ctx.close()
    assert report.problems == []
    assert leftovers(docker_client, ctx.run_id) == {"containers": [], "networks": [], "volumes": []}


def test_a_run_that_never_connected_removes_its_early_container_over_the_socket(docker_client):
    """Ctrl-C while docker-py is imported: the cleanup finds no client, and removes the container anyway."""
    ctx = _context()
    early = _started(ctx)
    assert early.name and ctx.resources.labels("probe").items() <= docker_client.containers.get(early.name).labels.items()
    report = cleanup_run(ctx, sweep=False)
    assert not ctx.connected
    assert report.removed == [f"container {early.name}"] and report.problems == []
    assert leftovers(docker_client, ctx.run_id) == {"containers": [], "networks": [], "volumes": []}
