"""The module image's classic-builder cache survives run-reference's clean-up: the image is removed
without its untagged parents (they are the cache), so the next run's build does not run its steps again
(with the parents pruned, every --via airflow run re-ran the module's pip install)."""
from __future__ import annotations

import shutil
import uuid

from dind_doctor.engine.cleanup import leftovers, remove_run
from dind_doctor.labels import labels
from dind_doctor.reference.outer import build_outer_image
from dind_doctor.reference.project import shipped_module
from support import image_env


def _build(client, context, run_id: str) -> list[str]:
    lines: list[str] = []
    build_outer_image(client, context=str(context), target=None, tag=f"extractor_sql_dag_img:ddref-{run_id}",
                      dockerfile="docker/Dockerfile", build_args={"PYTHON_IMAGE": image_env("DIND_DOCTOR_PYTHON_IMAGE")},
                      labels=labels("run-reference", run_id), timeout=1200, on_line=lines.append)
    return [line.strip() for line in lines]


def _cached(lines: list[str], step: str) -> bool:
    at = next(i for i, line in enumerate(lines) if line.startswith("Step ") and step in line)
    return lines[at + 1] == "---> Using cache"


def test_the_build_cache_survives_the_cleanup_of_the_image(docker_client, tmp_path):
    # A module whose code is this test's own: its `COPY app/ .` layer exists nowhere else on the engine, so
    # only the clean-up decides whether it is still there for the second build. (The pip layer below it is
    # shared with every other run of the module: built once per machine.)
    module = shutil.copytree(shipped_module(), tmp_path / "hosted")
    (module / "app" / "cache_probe.txt").write_text(uuid.uuid4().hex)
    first, second = uuid.uuid4().hex[:12], uuid.uuid4().hex[:12]
    assert not _cached(_build(docker_client, module, first), "COPY app/")
    report = remove_run(docker_client, first, images=True)
    assert report.problems == [] and any(r.startswith("image ") for r in report.removed)
    assert leftovers(docker_client, first, images=True)["images"] == []
    try:
        lines = _build(docker_client, module, second)
        assert _cached(lines, "COPY app/") and _cached(lines, "pip install")
    finally:
        # This test's own layer goes with its last image (pruned: nothing else uses it); the shared ones stay.
        docker_client.images.remove(f"extractor_sql_dag_img:ddref-{second}", force=True)
        remove_run(docker_client, second, images=True)
    assert leftovers(docker_client, second, images=True)["images"] == []
