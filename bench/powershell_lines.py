"""backtick-continuation and pwd-path-forms' PowerShell reading on the two inputs that were quadratic: one
10,000-word line (and 20,000, to show the growth) and a 60 KB script whose byte array is one line.

    python bench/powershell_lines.py [--runs 5]

For each input: the median (time.perf_counter) of tokenizing it and finding its continuation problems
(continuation_problems) and its docker commands (docker_commands), next to a reference measured in the same
run on the same text: str.split() of it. Quote the ratio: the absolute figures depend on the machine.
"""
from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

from dind_doctor.project.docker_commands import docker_commands
from dind_doctor.project.ps_continuations import continuation_problems
from dind_doctor.project.pstokens import tokenize


def inputs() -> dict[str, str]:
    words = {n: "docker run " + " ".join(f"-e V{i}=x" if i % 2 else f"w{i}" for i in range(n)) + " ` \n  img\n"
             for n in (10_000, 20_000)}
    array = ",".join(f"0x{i % 256:02X}" for i in range(12_000))
    script = ("$ErrorActionPreference = 'Stop'\n[byte[]] $payload = " + array + "\n"
              + "docker run --rm `\n  -v \"${PWD}:/app\" `\n  img\n" * 40)
    return {"10,000-word line": words[10_000], "20,000-word line": words[20_000],
            f"{len(script) // 1000} KB script, one-line byte array": script}


def median(fn: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    for name, text in inputs().items():
        reference = median(text.split, args.runs)

        def check() -> None:
            tokens = tokenize(text)
            continuation_problems(text, 1, tokens)
            docker_commands(text, "powershell", 1, tokens)

        took = median(check, args.runs)
        print(f"{name:38} {len(text):>7} chars  check {took * 1000:8.1f} ms  str.split {reference * 1000:6.2f} ms"
              f"  ratio {took / reference:6.0f}x")


if __name__ == "__main__":
    main()
