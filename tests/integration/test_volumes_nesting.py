"""named-volume-visibility under DinD: the volumes live on the inner daemon, and the finding says so."""
from __future__ import annotations

import os
import uuid

from support import REPO, exec_json, findings_of, start_inner_dockerd, tar_of

FIXTURE = REPO / "tests" / "fixtures" / "nesting" / "seed_like"
CHECK = "named-volume-visibility"
SOCK = "/var/run/docker.sock"


def test_dind_volumes_live_on_the_inner_daemon(docker_client, doctor_image):
    inner = start_inner_dockerd(docker_client, doctor_image)
    # The inner daemon starts empty: hand it the probe image, and the project.
    probe = os.environ["DIND_DOCTOR_PROBE_IMAGE"]
    image = b"".join(docker_client.images.get(probe).save(named=True))
    assert inner.exec_run(["mkdir", "-p", "/work"]).exit_code == 0
    inner.put_archive("/work", tar_of({"probe.tar": image}))
    assert inner.exec_run(["docker", "load", "-i", "/work/probe.tar"]).exit_code == 0
    files = {f"seed_like/{p.relative_to(FIXTURE)}": p.read_bytes() for p in FIXTURE.rglob("*") if p.is_file()}
    inner.put_archive("/work", tar_of(files))
    tag = f"ddd{uuid.uuid4().hex[:6]}"
    env = {"COMPOSE_PROJECT_NAME": tag, "MODULE_BASE": probe, "PROBE_IMAGE": probe, "DIND_DOCTOR_PROBE_IMAGE": probe}
    built = inner.exec_run(["sh", "-c", "docker compose build -q && docker compose run --rm --no-deps "
                            "--entrypoint true extractor_sql"], workdir="/work/seed_like/hosted", environment=env)
    assert built.exit_code == 0, built.output[-2000:]

    code, report = exec_json(inner, ["dind-doctor", "check", CHECK, "--project", "/work/seed_like", "--format",
                                     "json"], environment=env)
    assert report["level"] == "dind"
    [finding] = findings_of(report, CHECK)
    real = f"{tag}_extractor_sql_dag_shared_app"
    assert finding["status"] == "ok" and finding["evidence"]["real name"] == real
    assert "inner daemon" in finding["evidence"]["daemon"] and "host cannot see" in finding["evidence"]["daemon"]
    assert finding["evidence"]["verdict"] == "fresh"
    assert not docker_client.volumes.list(filters={"name": real})  # the host's daemon has no such volume
