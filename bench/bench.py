"""Wall time of `dind-doctor --help` and `dind-doctor check` against `docker info`, on a warm daemon.

    python bench/bench.py [--runs 5] [--project DIR]

Prints the median of each and the ratio check / docker info. Targets: --help under 0.3 s, check under
1.5 s. A benchmark, not a test: numbers depend on the machine; quote ratios.
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time


def median_time(cmd: list[str], runs: int) -> tuple[float, int]:
    times, code = [], 0
    for _ in range(runs):
        started = time.perf_counter()
        code = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode
        times.append(time.perf_counter() - started)
    return statistics.median(times), code


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--project", default=".")
    args = parser.parse_args()
    doctor = [sys.executable, "-m", "dind_doctor"]
    median_time(["docker", "info"], 1)  # warm the daemon and the page cache
    docker_info, _ = median_time(["docker", "info"], args.runs)
    help_time, _ = median_time(doctor + ["--help"], args.runs)
    check_time, code = median_time(doctor + ["check", "--project", args.project], args.runs)
    print(f"runs per command: {args.runs} (median)")
    print(f"docker info            {docker_info:6.3f} s")
    print(f"dind-doctor --help     {help_time:6.3f} s   target < 0.3 s  {'ok' if help_time < 0.3 else 'SLOW'}")
    print(f"dind-doctor check      {check_time:6.3f} s   target < 1.5 s  {'ok' if check_time < 1.5 else 'SLOW'}"
          f"   (exit {code})")
    print(f"check / docker info    {check_time / docker_info:6.1f} x")


if __name__ == "__main__":
    main()
