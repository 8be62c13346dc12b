"""Whole-process wall time of `dind-doctor run-reference` on the mirror path against the override path.

    python bench/mirror_vs_override.py [--runs 3] [--mode dood]

mirror path: no DIND_DOCTOR_* variable; the public-name stand-ins of tests/images/serve-mirror.sh are
untagged first (only those: checked by label), so every image is pulled through the engine's mirror.
override path: DIND_DOCTOR_*_IMAGE point at the offline images of tests/images/build-offline-images.sh
(present: nothing to pull). The two alternate, in one invocation, so that both see the same machine load.
Prints each time, the medians and their ratio. A benchmark, not a test: quote the ratio.
"""
from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import time

STAND_IN_LABEL = "io.dind-doctor.stands-in-for"


def offline_overrides() -> dict[str, str]:
    """The `export` lines of build-offline-images.sh (it builds nothing that is already there)."""
    script = os.path.join(os.path.dirname(__file__), "..", "tests", "images", "build-offline-images.sh")
    out = subprocess.run(["bash", script], capture_output=True, text=True, check=True,
                         env=dict(os.environ, DIND_DOCTOR_OFFLINE_ONLY="1")).stdout
    return dict(line[len("export "):].split("=", 1) for line in out.splitlines() if line.startswith("export "))


def untag_stand_ins() -> None:
    from dind_doctor import images

    for ref in dict.fromkeys(images.DEFAULTS.values()):
        probe = subprocess.run(["docker", "image", "inspect", "-f", f'{{{{index .Config.Labels "{STAND_IN_LABEL}"}}}}',
                                ref], capture_output=True, text=True)
        if probe.returncode == 0 and probe.stdout.strip() == ref:
            subprocess.run(["docker", "rmi", ref], capture_output=True, check=True)


def timed(mode: str, env: dict[str, str]) -> tuple[float, float]:
    """(whole-process wall seconds, seconds of the run's 'images for ...' stages from its timeline)."""
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "dind_doctor", "run-reference", "--mode", mode],
                            capture_output=True, text=True, env=env)
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        sys.exit(f"run-reference failed (exit {result.returncode}):\n{result.stdout[-3000:]}{result.stderr[-2000:]}")
    pulls = sum(float(s) for s in re.findall(r"^  images for .*?\s([\d.]+) s ", result.stdout, re.MULTILINE))
    return seconds, pulls


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--mode", choices=["dood", "dind"], default="dood")
    args = parser.parse_args()
    bare = {k: v for k, v in os.environ.items() if not k.startswith("DIND_DOCTOR_")}
    overrides = offline_overrides()
    mirror, override, pulls = [], [], []
    for i in range(args.runs):
        untag_stand_ins()
        seconds, pulled = timed(args.mode, bare)
        mirror.append(seconds)
        pulls.append(pulled)
        override.append(timed(args.mode, dict(bare, **overrides))[0])
        print(f"run {i + 1}: mirror path {mirror[-1]:.1f} s (pull stages {pulled:.1f} s), "
              f"override path {override[-1]:.1f} s", flush=True)
    m, o = statistics.median(mirror), statistics.median(override)
    print(f"median ({args.mode}): mirror path {m:.1f} s (pull stages {statistics.median(pulls):.1f} s), "
          f"override path {o:.1f} s, ratio {m / o:.2f}")


if __name__ == "__main__":
    main()
