"""What one `check` run asks of the engine on the seed project, counted (not timed): the containers it
creates (from the daemon's events, filtered on THIS run's owner labels: other runs share the engine) and
the `docker` children it starts (through a logging wrapper in front of the real CLI on PATH).

The seed needs two containers: nesting-level's privileged probe, and the shared probe (the project mounted)
in which pwd-path-forms reads its sentinel. env-file's plain .env and the compose file with nothing to
resolve settle the rest without a `docker compose` child or a container of their own."""
from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import time

from dind_doctor.labels import CREATED_BY, OWNER_HOST, OWNER_PID, current_owner
from support import REPO, findings_of

SEED = REPO / "tests" / "fixtures" / "seed_project"


def test_one_check_run_creates_two_containers_and_no_compose_child(docker_client, tmp_path):
    project = shutil.copytree(SEED, tmp_path / "seed")
    real_docker = shutil.which("docker")
    assert real_docker, "the docker CLI is needed"
    log = tmp_path / "docker-calls.log"
    wrapper_dir = tmp_path / "bin"
    wrapper_dir.mkdir()
    wrapper = wrapper_dir / "docker"
    wrapper.write_text(f'#!/bin/sh\nprintf "%s\\n" "$*" >> "{log}"\nexec "{real_docker}" "$@"\n')
    wrapper.chmod(wrapper.stat().st_mode | stat.S_IXUSR)
    env = dict(os.environ, PATH=f"{wrapper_dir}{os.pathsep}{os.environ['PATH']}")

    since = int(time.time()) - 1
    proc = subprocess.Popen([sys.executable, "-m", "dind_doctor", "check", "--project", str(project),
                             "--format", "json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    out, err = proc.communicate(timeout=180)
    until = int(time.time()) + 1
    report = json.loads(out)

    filters = {"type": "container", "event": "create",
               "label": [f"{OWNER_PID}={proc.pid}", f"{OWNER_HOST}={current_owner().host}"]}
    created = [e["Actor"]["Attributes"] for e in docker_client.events(since=since, until=until, filters=filters,
                                                                       decode=True)]
    assert sorted(a[CREATED_BY] for a in created) == ["probe", "shared-probe"], (created, err)
    calls = log.read_text().splitlines() if log.exists() else []
    assert [c for c in calls if "compose" in c] == [], calls

    # ... and the answers are all there: the probes ran, the settled ones say why in their evidence
    [privileged] = [f for f in findings_of(report, "nesting-level") if "privileged" in f["summary"]]
    assert privileged["status"] in ("ok", "warn")
    [pwd_live] = [f for f in findings_of(report, "pwd-path-forms") if f["status"] == "ok"]
    assert pwd_live["evidence"]["probe container"].startswith("the run's shared probe")
    [env_live] = [f for f in findings_of(report, "env-file") if "arrive" in f["summary"]]
    assert env_live["evidence"]["probe"].startswith("not run: every line is a plain KEY=value")
    [volume] = findings_of(report, "named-volume-visibility")
    assert volume["evidence"]["model from"].startswith("raw YAML: nothing in it for compose to resolve")
