"""env-file, part 4: the live probe. A labelled container started by `docker compose run` with the same
env_file reports, for each needed key, whether it arrives, non-empty and without a CR, and whether its
value equals what python-dotenv reads (compared by hash inside the probe; no value is ever printed)."""
from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Mapping

from dind_doctor import subprocesses
from dind_doctor.engine.errors import ProbeError
from dind_doctor.evidence_shapes import quoted_shape
from dind_doctor.model import Finding, Location, Status
from dind_doctor.project.dotenv_lint import digest
from dind_doctor.project.files import ProjectFiles

from .env_file_content import Parsed

if TYPE_CHECKING:
    from dind_doctor.check import Check
    from dind_doctor.context import Context

PROBE_COMPONENT = "env-probe"  # the created-by label of the live probe's containers
# The probe script runs in the probe container: for each key it prints whether it is set, empty, holds a
# CR, and the sha256 of its value (compared in Python, never shown). `$$` is compose's escape for `$`.
PROBE_SCRIPT = ('for k in "$$@"; do eval "s=\\$${$$k+x}"; if [ -z "$$s" ]; then echo "$$k MISSING"; continue; fi; '
                'eval "v=\\$$$$k"; [ -z "$$v" ] && echo "$$k EMPTY"; '
                'case "$$v" in *"$$(printf \'\\r\')"*) echo "$$k CR";; esac; '
                'printf %s "$$v" | sha256sum | sed "s/ .*//;s/^/$$k HASH /"; done')


@dataclass(frozen=True)
class Seen:
    """What the probe container reported, per key."""

    marks: dict[str, set[str]]  # key -> {"MISSING", "EMPTY", "CR", "HASH"}
    hashes: dict[str, str]

    @classmethod
    def parse(cls, output: str, keys: list[str]) -> "Seen":
        marks: dict[str, set[str]] = {k: set() for k in keys}
        hashes: dict[str, str] = {}
        for line in output.splitlines():
            parts = line.split(" ", 2)
            if len(parts) >= 2 and parts[0] in marks:
                marks[parts[0]].add(parts[1])
                if parts[1] == "HASH" and len(parts) == 3:
                    hashes[parts[0]] = parts[2].strip()
        return cls(marks, hashes)


def probe_compose(image: str, labels: Mapping[str, str], env_file: Path, keys: list[str]) -> str:
    """The probe's compose file (JSON is YAML): one service, no network, no pull, this run's labels."""
    return json.dumps({"services": {"probe": {
        "image": image, "pull_policy": "never", "network_mode": "none", "labels": dict(labels),
        "env_file": [str(env_file)], "entrypoint": ["sh", "-c", PROBE_SCRIPT, "probe", *keys]}}})


def run_probe_compose(ctx: "Context", docker: str, spec_text: str) -> subprocesses.Completed:
    """`docker compose run` of the probe, bounded (the plugin dies with the CLI on a timeout). The compose
    project is named after the run and registered, the spec lives in a registered temp folder outside the
    project, and the child is registered too: the run's cleanup kills it on Ctrl-C/SIGTERM, whichever
    thread waits for it, and removes what it created."""
    resources = ctx.resources
    try:
        project = resources.register("project", f"dind-doctor-{ctx.run_id}")
        name = resources.register("container", resources.name(PROBE_COMPONENT), by_child=True)
        tmp = resources.temp_dir("env-probe")
    except (OSError, ProbeError) as exc:
        raise subprocesses.ChildFailed(str(exc)) from None
    try:
        spec = tmp / "compose.yaml"
        spec.write_text(spec_text, encoding="utf-8")
        done = subprocesses.run([docker, "compose", "-p", project, "-f", str(spec), "run", "--rm", "-T",
                                 "--no-deps", "--name", name, "probe"], timeout=max(ctx.timeout * 4, 20),
                                env=ctx.env, track=resources.track_process)
        resources.settled("container", name)  # compose has exited: its container is gone, or labelled
        return done
    except ProbeError as exc:  # RunClosed: the run is cleaning up
        raise subprocesses.ChildFailed(str(exc)) from None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def verdict(check: "Check", seen: Seen, parsed: Parsed, keys: list[str], rel: str, evidence: dict) -> Finding:
    missing = [k for k in keys if "MISSING" in seen.marks[k] or not seen.marks[k]]
    empty = [k for k in keys if "EMPTY" in seen.marks[k]]
    cr = [k for k in keys if "CR" in seen.marks[k]]
    differ = [k for k in keys if k in seen.hashes and parsed.values.get(k) is not None
              and seen.hashes[k] != digest(parsed.values[k] or "")]
    if missing or empty or cr:
        parts = [f"missing: {', '.join(missing)}" if missing else "", f"empty: {', '.join(empty)}" if empty else "",
                 f"ending in CR: {', '.join(cr)}" if cr else ""]
        return check.finding(Status.FAIL, "through compose: " + "; ".join(p for p in parts if p),
                             location=Location(rel), evidence=evidence,
                             detail="A container started by `docker compose` with this env_file did not receive "
                                    "these keys as the module needs them.")
    if differ:
        return check.finding(Status.WARN, f"compose passes {', '.join(differ)} with a value different from "
                                          "what python-dotenv reads", location=Location(rel), evidence=evidence,
                             detail="Quotes, an inline comment or escapes are read differently: the module gets "
                                    "another value than the one you see when testing with python-dotenv.")
    return check.finding(Status.OK, f"{len(keys)} key(s) arrive in a container through compose, non-empty, "
                                    "without CR, equal to the file's values", location=Location(rel),
                         evidence=evidence)


def probe_one(check: "Check", ctx: "Context", files: ProjectFiles, docker: str, image: str,
              labels: Mapping[str, str], parsed: Parsed, keys: list[str]) -> Finding:
    rel = files.rel(parsed.ref.path)
    try:
        proc = run_probe_compose(ctx, docker, probe_compose(image, labels, parsed.ref.path, keys))
    except subprocesses.ChildFailed as exc:
        return check.finding(Status.SKIP, f"live env_file probe skipped: {exc}", location=Location(rel))
    output = proc.stdout.decode("utf-8", "replace")
    if proc.returncode != 0 and "HASH" not in output and "MISSING" not in output:
        # compose's parse errors quote the offending line (`variable name "MIIE..."`): its shape only.
        return check.finding(Status.SKIP, f"live env_file probe could not run: {quoted_shape(proc.first_error_line())}",
                             location=Location(rel))
    evidence = {"service": parsed.ref.service, "keys checked": len(keys), "probe": f"docker compose run ({image})"}
    return verdict(check, Seen.parse(output, keys), parsed, keys, rel, evidence)


def live_findings(check: "Check", ctx: "Context", files: ProjectFiles, checked: list[Parsed]) -> list[Finding]:
    docker = shutil.which("docker", path=ctx.env.get("PATH"))
    if docker is None:
        return [check.finding(Status.SKIP, "live env_file probe skipped: no docker CLI (compose reads env_file on "
                                           "the client side)")]
    from dind_doctor import images
    from dind_doctor.labels import labels

    out = []
    image = images.probe_image(ctx.env)
    # A probe container `compose run --rm` left behind (one that timed out) goes with the run's cleanup.
    for parsed in checked:
        keys = [k for k in parsed.needed if k and k.replace("_", "").isalnum() and not k[0].isdigit()]
        if keys:
            out.append(probe_one(check, ctx, files, docker, image, labels(PROBE_COMPONENT, ctx.run_id),
                                 parsed, keys))
    return out
