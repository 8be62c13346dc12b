"""Two commands timed pair by pair: the median of the per-pair ratios, steadier than a ratio of medians
when the machine's speed drifts within a minute (a shared VM: compose-lint alone moved from 0.21 s to
0.28 s in one hour here).

    python bench/pairs.py 101 "dind-doctor check --static --project DIR" "compose-lint check FILE ..."

Each pair runs A and B back to back, in alternating order (A first, then B first), after one warm-up of
each; prints the median of A/B over the pairs, its quartiles, the ratio of the medians, and how many pairs
had A under B. Whole-process wall time (time.perf_counter around each child); the children run with
bytecode caching on, as in speed.py. A benchmark, not a test: quote the ratios, with the date and load.
"""
from __future__ import annotations

import os
import shlex
import statistics
import subprocess
import sys
import time

from speed import CHILD_ENV


def wall(cmd: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=CHILD_ENV, check=False)
    return time.perf_counter() - started


def main() -> None:
    if len(sys.argv) != 4 or not sys.argv[1].isdigit():
        sys.exit(f"usage: python {sys.argv[0]} PAIRS 'COMMAND A' 'COMMAND B'")
    pairs, a, b = int(sys.argv[1]), shlex.split(sys.argv[2]), shlex.split(sys.argv[3])
    wall(a), wall(b)  # warm-up: page cache, .pyc files, the compile cache
    ratios, times_a, times_b = [], [], []
    for n in range(pairs):
        if n % 2 == 0:
            ta, tb = wall(a), wall(b)
        else:
            tb, ta = wall(b), wall(a)
        times_a.append(ta)
        times_b.append(tb)
        ratios.append(ta / tb)
    low, _, high = statistics.quantiles(ratios, n=4)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {os.cpu_count()} cores, load {load:.1f} at the end; "
          f"{pairs} pairs: median A/B {statistics.median(ratios):.3f} (quartiles {low:.3f}-{high:.3f}), "
          f"ratio of medians {statistics.median(times_a) / statistics.median(times_b):.3f} "
          f"(A {statistics.median(times_a):.3f} s, B {statistics.median(times_b):.3f} s), "
          f"A under B in {sum(r < 1 for r in ratios)} of {pairs}")


if __name__ == "__main__":
    main()
