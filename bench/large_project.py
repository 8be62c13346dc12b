"""Large projects: `dind-doctor check --static` on a 100,000-file tree and on a 50 MiB script, each against
a reference measured in the same run with public tools.

    python bench/large_project.py [--runs 5] [--files 100000] [--script-mib 50]

Rows (`empty`: the same command on an empty folder, the fixed cost of start-up and checks; whole-process wall time, median of --runs after one warm-up; CPU time and peak memory of one run
from /usr/bin/time -v):
  walk    check --static on a tree of --files files (data/ shards, the compose file, Dockerfile, run
          script and .env five folders deep)  vs  `find DIR -type f | wc -l`
  script  check --static on a project whose run.ps1 is --script-mib MiB (a broken backtick half-way: the
          whole file is streamed for continuations)  vs  `wc -l run.ps1`
  ignored check --static on a git checkout whose ignored build/ holds a stale copy (--stale-copies
          copies of a DAG module, a compose file and a run script)  vs  `git ls-files -co
          --exclude-standard | wc -l` (what git itself lists); the output says what was left out
A benchmark, not a test: figures depend on the machine; quote the ratios.
"""
from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def make_tree(root: Path, files: int) -> None:
    per = 1000
    for shard in range((files + per - 1) // per):
        folder = root / "data" / f"s{shard:03}"
        folder.mkdir(parents=True)
        for i in range(min(per, files - shard * per)):
            os.close(os.open(folder / f"row{i:04}.csv", os.O_CREAT | os.O_WRONLY, 0o644))
    deep = root / "a" / "b" / "c" / "d" / "svc"
    deep.mkdir(parents=True)
    (deep / "docker-compose.yml").write_text("services:\n  app:\n    build: .\n    env_file: .env\n")
    (deep / "Dockerfile").write_text("FROM python:3.12-slim\nCOPY app.py /app/\n")
    (deep / ".env").write_text("A=1\n")
    (deep / "run.ps1").write_text("docker run --rm -v ${PWD}:/app img\n")


def make_script(root: Path, mib: int) -> None:
    root.mkdir(parents=True)
    line = b"Write-Host 'a line of a generated script, long enough to be typical'\r\n"
    half = mib * 1024 * 1024 // 2
    with open(root / "run.ps1", "wb") as fh:
        fh.write(line * (half // len(line)))
        fh.write(b"docker run --rm `  \r\n  -v x:/y img\r\n")  # a backtick followed by spaces
        fh.write(line * (half // len(line)))


def make_ignored(root: Path, copies: int) -> None:
    """A git checkout: the project at its top, and in the ignored build/ a stale copy of it, many times."""
    root.mkdir(parents=True)
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    (root / ".gitignore").write_text("build/\n")
    (root / "compose.yml").write_text("services:\n  app:\n    build: .\n")
    (root / "Dockerfile").write_text("FROM python:3.12-slim\nCOPY app.py /app/\n")
    dag = ("from airflow.providers.docker.operators.docker import DockerOperator\n"
           "t = DockerOperator(task_id='t', image='img', auto_remove='never')\n")
    for i in range(copies):
        copy = root / "build" / "lib" / f"c{i:04}"
        copy.mkdir(parents=True)
        (copy / "dag.py").write_text(dag)
        (copy / "compose.yml").write_text("services:\n  app:\n    build: .\n")
        (copy / "run.ps1").write_text("docker run --rm `  \n  -v ${PWD}:/app img\n")


def timed(cmd: list[str], runs: int, shell: bool = False) -> float:
    run = (lambda: subprocess.run(cmd[0] if shell else cmd, shell=shell, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL))
    run()  # warm-up: page cache, imports
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def cpu_and_peak(cmd: list[str], shell: bool = False) -> tuple[float, float]:
    """(user + system CPU seconds, maximum resident set size in MiB) of the whole command, from GNU time
    (`/usr/bin/time -v`): CPU time is the figure that holds on a loaded machine, wall time the one a user
    waits."""
    full = ["/usr/bin/time", "-v"] + (["sh", "-c", cmd[0]] if shell else cmd)
    err = subprocess.run(full, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True).stderr

    def number(label: str) -> float:
        found = re.search(label + r": ([\d.]+)", err)
        return float(found.group(1)) if found else float("nan")

    cpu = number(r"User time \(seconds\)") + number(r"System time \(seconds\)")
    return cpu, number(r"Maximum resident set size \(kbytes\)") / 1024


def row(name: str, doctor: list[str], reference: str, runs: int) -> None:
    mine, ref = timed(doctor, runs), timed([reference], runs, shell=True)
    (my_cpu, my_mem), (ref_cpu, ref_mem) = cpu_and_peak(doctor), cpu_and_peak([reference], shell=True)
    print(f"{name:7} dind-doctor {mine:5.2f} s wall {my_cpu:5.2f} s CPU {my_mem:4.0f} MiB | reference "
          f"{ref:5.2f} s wall {ref_cpu:5.2f} s CPU {ref_mem:3.0f} MiB ({reference.split(' /')[0]} ...) | "
          f"ratio {mine / ref:5.1f}x wall")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--files", type=int, default=100_000)
    parser.add_argument("--script-mib", type=int, default=50)
    parser.add_argument("--stale-copies", type=int, default=1000)
    args = parser.parse_args()
    doctor = [sys.executable, "-m", "dind_doctor", "check", "--static", "--format", "json", "--project"]
    with tempfile.TemporaryDirectory(prefix="dind-doctor-bench-") as tmp:
        tree, big = Path(tmp, "tree"), Path(tmp, "script")
        make_tree(tree, args.files)
        make_script(big, args.script_mib)
        print(f"runs per command: {args.runs} (median, after a warm-up); {os.cpu_count()} CPU(s)")
        empty = Path(tmp, "empty")
        empty.mkdir()
        row("empty", doctor + [str(empty)], f"find {empty} -type f | wc -l", args.runs)  # the fixed cost
        row("walk", doctor + [str(tree)], f"find {tree} -type f | wc -l", args.runs)
        row("script", doctor + [str(big)], f"wc -l {big}/run.ps1", args.runs)
        ignored = Path(tmp, "ignored")
        make_ignored(ignored, args.stale_copies)
        row("ignored", doctor + [str(ignored)], f"git -C {ignored} ls-files -co --exclude-standard | wc -l", args.runs)


if __name__ == "__main__":
    main()
