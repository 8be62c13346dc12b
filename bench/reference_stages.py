"""run-reference (dood, warm caches): the whole process against the steps themselves, from the same runs.

    eval "$(bash tests/images/build-offline-images.sh)"   # or the public images, already pulled
    python bench/reference_stages.py [--runs 3] [--doctor PATH]

Each run's own stage timeline (printed at its end) splits the wall time into the steps themselves (what a
user types by hand: build the outer image, start the servers, start the outer container, `docker compose
build` and `up`) and run-reference's own stages (preflight, image checks, reading validated.csv before and
after, verification, clean-up). Issue 15's goal: own stages under 1.5 s in all. Medians of --runs after one
warm-up; whole-process wall and CPU time from os.wait4. Older versions print no own/step column: their
stages are classified here by name, the same split. `bench/speed.py --run-reference` prints the same row.
"""
from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import tempfile
import time
from dataclasses import dataclass

from speed import CHILD_ENV, ROOT, doctor_command  # bench/, beside this script

# What the older timelines (no own/step column) name run-reference's own stages.
OWN_NAMES = ("preflight", "images for", "connect to", "prepare", "read validated.csv", "verify", "clean up")
STAGE_LINE = re.compile(r"^  (?P<name>\S.*?)\s+(?P<seconds>\d+\.\d) s\s+\d+%\s+(?P<outcome>\w+)(?:\s+(?P<kind>own|step))?")


@dataclass
class ReferenceRun:
    wall: float
    cpu: float
    code: int
    own: float  # run-reference's own stages, from its timeline
    steps: float  # the wall time less the own stages


def own_seconds(output: str) -> float:
    """The own stages' seconds, from the timeline a run printed."""
    timeline = output[output.rfind("Stage timeline:"):]
    own = 0.0
    for line in timeline.splitlines()[1:]:
        m = STAGE_LINE.match(line)
        if not m or m["name"].startswith(("total", "own stages", "the steps")):
            continue
        seconds = float(m["seconds"])
        is_own = m["kind"] == "own" if m["kind"] else m["name"].startswith(OWN_NAMES)
        own += seconds if is_own and "(background)" not in line else 0.0
    return own


def one_reference_run(cmd: list[str]) -> ReferenceRun:
    with tempfile.TemporaryFile() as out:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, env=CHILD_ENV)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        text = out.read().decode("utf-8", "replace")
    own = own_seconds(text)
    return ReferenceRun(wall, usage.ru_utime + usage.ru_stime, proc.returncode, own, wall - own)


def reference_row(doctor: list[str], runs: int) -> str:
    cmd = [*doctor, "run-reference", "--mode", "dood"]
    one_reference_run(cmd)  # warm-up: the images and the build cache
    results = [one_reference_run(cmd) for _ in range(runs)]
    wall, cpu = statistics.median(r.wall for r in results), statistics.median(r.cpu for r in results)
    own, steps = statistics.median(r.own for r in results), statistics.median(r.steps for r in results)
    exits = ",".join(str(r.code) for r in results)
    return (f"{'run-reference':<14} {wall:6.3f} s {cpu:6.3f} s (exit {exits})  the steps themselves {steps:6.3f} s  "
            f"{wall / steps:5.2f}x wall; own stages {own:.2f} s (runs: "
            + ", ".join(f"{r.own:.1f}" for r in results) + ")")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--doctor", help="the dind-doctor executable (default: beside this Python)")
    args = parser.parse_args()
    doctor = doctor_command(args.doctor)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {os.cpu_count()} cores, load average {load:.1f} "
          f"at start; {' '.join(doctor)}; median of {args.runs} after a warm-up")
    print(reference_row(doctor, args.runs))


if __name__ == "__main__":
    main()
