"""`check` with the engine on the seed project: two dind-doctor executables (before/after a change) and the
reference (`docker run --rm <probe image> true`), interleaved round by round so a busy machine's load
weighs on all three alike.

    eval "$(bash tests/images/build-offline-images.sh)"   # or: export DIND_DOCTOR_PROBE_IMAGE=busybox
    python bench/check_ab.py --before OLD/.venv/bin/dind-doctor --after .venv/bin/dind-doctor [--rounds 20]

Prints, per command, the median wall and CPU (user + system of the process tree) and the ratios to the
reference's medians; then the median of the per-round differences after - before (wall and CPU), which a
load spike in one round moves less than a difference of medians.
"""
from __future__ import annotations

import argparse
import os
import statistics
import time

from speed import SEED, one_run  # bench/, beside this script


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--before", required=True, help="the dind-doctor executable before the change")
    parser.add_argument("--after", required=True, help="the dind-doctor executable after the change")
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    probe = os.environ.get("DIND_DOCTOR_PROBE_IMAGE", "busybox")
    commands = {"reference": ["docker", "run", "--rm", probe, "true"],
                "before": [args.before, "check", "--project", str(SEED)],
                "after": [args.after, "check", "--project", str(SEED)]}
    for cmd in commands.values():  # warm-up: page cache, .pyc files, the daemon
        one_run(cmd, SEED)
    results: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
    for i in range(args.rounds):
        order = list(commands) if i % 2 == 0 else list(reversed(commands))  # neither always follows the other
        for name in order:
            wall, _, _, cpu = one_run(commands[name], SEED)
            results[name].append((wall, cpu))
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {os.cpu_count()} cores, load average {load:.1f} "
          f"at the end; {args.rounds} interleaved rounds; reference: docker run --rm {probe} true")
    ref_wall = statistics.median(w for w, _ in results["reference"])
    ref_cpu = statistics.median(c for _, c in results["reference"])
    for name, runs in results.items():
        wall, cpu = statistics.median(w for w, _ in runs), statistics.median(c for _, c in runs)
        print(f"{name:<10} wall {wall:6.3f} s  CPU {cpu:6.3f} s  ratio to the reference: wall {wall / ref_wall:5.2f}x "
              f"CPU {cpu / ref_cpu:6.2f}x")
    pairs = list(zip(results["before"], results["after"]))
    print(f"after - before, median of the per-round differences: wall {statistics.median(a[0] - b[0] for b, a in pairs):+.3f} s, "
          f"CPU {statistics.median(a[1] - b[1] for b, a in pairs):+.3f} s")


if __name__ == "__main__":
    main()
