"""`docker compose config` of several compose projects runs a few at once (each child is a CLI start that
waits on nothing of ours), once per file, and the models come back in order."""
from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from dind_doctor import subprocesses
from dind_doctor.airflow.project import compose_models
from dind_doctor.context import Context

from test_compose_child import _compose_available


def _project(tmp_path: Path, count: int) -> Path:
    for i in range(count):
        folder = tmp_path / f"p{i}"
        folder.mkdir()
        # `${IMAGE:-busybox}`: something for compose to resolve (a file with nothing to resolve needs no child)
        (folder / "compose.yaml").write_text(f"services:\n  app{i}:\n    image: ${{IMAGE:-busybox}}\n"
                                             f"    volumes: [data{i}:/data]\nvolumes:\n  data{i}: {{}}\n")
    return tmp_path


def test_compose_config_children_overlap_once_per_file(tmp_path, monkeypatch):
    if not _compose_available():
        if os.environ.get("CI") == "true":
            pytest.fail("CI: the docker CLI with its compose plugin is required")
        pytest.skip("NO DOCKER COMPOSE PLUGIN: the overlap is not proven here")
    project = _project(tmp_path, 3)
    real_run = subprocesses.run
    met = threading.Barrier(2, timeout=60)  # the first two children must be asked for at the same time
    spawned: list[str] = []
    broken: list[str] = []
    lock = threading.Lock()

    def overlapping_run(argv, *args, **kwargs):
        if "config" in argv:
            with lock:
                spawned.append(str(argv[3]))
                first_two = len(spawned) <= 2
            if first_two:
                try:
                    met.wait()
                except threading.BrokenBarrierError:
                    broken.append(str(argv[3]))  # one after the other: the second never came
        return real_run(argv, *args, **kwargs)

    monkeypatch.setattr(subprocesses, "run", overlapping_run)
    ctx = Context(project=project, shell="bash", env=dict(os.environ), platform="linux", timeout=30)
    models = compose_models(ctx)
    assert [raw.rel for raw, _ in models] == [f"p{i}/compose.yaml" for i in range(3)]
    assert [model.resolved_by for _, model in models] == ["docker compose config"] * 3
    assert [model.volumes for _, model in models] == [{f"data{i}": f"p{i}_data{i}"} for i in range(3)]
    assert sorted(spawned) == sorted(str(project / f"p{i}" / "compose.yaml") for i in range(3))  # once each
    assert not broken
    compose_models(ctx)  # asked again in the same run: no new child
    assert len(spawned) == 3
