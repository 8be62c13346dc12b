"""Issue 15's rows: each dind-doctor command against a reference measured in the same run.

    pip install compose-lint            # the reference linter (optional: a PyYAML parse stands in)
    eval "$(bash tests/images/build-offline-images.sh)"   # or: export DIND_DOCTOR_PROBE_IMAGE=busybox
    git clone https://github.com/40tude/fraud_detection_2 /tmp/fd2   # the user's public repository (optional)
    python bench/speed.py [--runs 5] [--run-reference] [--compose-lint PATH] [--doctor PATH] [--user-repo /tmp/fd2]

Rows (whole-process wall time and user+system CPU time, medians of --runs rounds after one warm-up, each
command once per round so that before, after and the reference see the same load; peak RSS of the process
tree over the runs, from os.wait4):
  static seed   check --static on tests/fixtures/seed_project  vs  compose-lint on its compose files
  static repo   check --static on this repository's root       vs  compose-lint on its compose files
  static user   (with --user-repo) check --static on the user's public repository (issue 15's first row:
                863 files, 22 compose files, 51 PowerShell scripts)  vs  compose-lint on its compose files;
                then again with the compile cache off (DIND_DOCTOR_CACHE_DIR empty), as a first run finds it
  check engine  check on the seed project                       vs  docker run --rm <probe image> true
  --help        dind-doctor --help                              vs  python -c pass
  run-reference (with --run-reference; slow) dood, warm caches  vs  the steps themselves, from its own
                stage timeline (bench/reference_stages.py: own stages = preflight, reads, verification, clean-up)
--doctor: the dind-doctor executable to time (default: the one beside this Python), e.g. from a plain
`pip install .` venv, as a new user has it; given several times (before, after), all are timed in the
same rounds, one line each. The children run with bytecode caching on (PYTHONDONTWRITEBYTECODE
dropped): a pip install compiles the .pyc files, a source checkout without them recompiles every run.
Without compose-lint the reference is `python -c "import yaml; [yaml.safe_load(open(f)) for f in FILES]"`
over the same files, and the row says so. A benchmark, not a test: figures depend on the machine (and on
what else it runs): quote the ratios.
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "tests" / "fixtures" / "seed_project"
# compose.yml and its variants (docker-compose-test.yml, compose.prod.yaml): the files a user lints
COMPOSE_NAME = re.compile(r"(docker-)?compose([.-][^/]*)?\.ya?ml")


@dataclass
class Timing:
    seconds: float  # median wall time
    cpu: float  # median user + system CPU time of the process tree: steadier than wall time on a busy machine
    rss_mib: float  # peak resident set of the process and the children it waited for
    code: int


CHILD_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def one_run(cmd: list[str], cwd: Path) -> tuple[float, float, int, float]:
    """Leading NAME=value words of `cmd` are set in the child's environment, as a shell would."""
    env = dict(CHILD_ENV)
    while cmd and "=" in cmd[0] and not cmd[0].startswith(("/", ".")):
        name, _, value = cmd[0].partition("=")
        env[name] = value
        cmd = cmd[1:]
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)  # so Popen does not wait again
    return elapsed, usage.ru_maxrss / 1024, proc.returncode, usage.ru_utime + usage.ru_stime


def measure(cmds: list[list[str]], runs: int, cwd: Path = ROOT) -> list[Timing]:
    """Each command `runs` times, interleaved round by round (a, b, c, a, b, c, ...): on a shared machine
    the load drifts within a minute, and a command timed while the others wait would see another machine."""
    for cmd in cmds:
        one_run(cmd, cwd)  # warm-up: page cache, the daemon, .pyc files
    results: list[list[tuple[float, float, int, float]]] = [[] for _ in cmds]
    for _ in range(runs):
        for cmd, got in zip(cmds, results):
            got.append(one_run(cmd, cwd))
    return [Timing(statistics.median(r[0] for r in got), statistics.median(r[3] for r in got),
                   max(r[1] for r in got), got[-1][2]) for got in results]


def compose_files(folder: Path) -> list[str]:
    """The compose files a user would hand a linter: git's tracked files when it is a repository."""
    try:
        listed = subprocess.run(["git", "-C", str(folder), "ls-files", "-z"], capture_output=True,
                                timeout=30, check=True).stdout.decode().split("\0")
    except (OSError, subprocess.SubprocessError):
        listed = []
    found = sorted(str(folder / f) for f in listed if f and COMPOSE_NAME.fullmatch(Path(f).name))
    if not found:  # not a repository, or a snapshot whose index is not the tree: what is on disk
        found = sorted(str(p) for p in folder.rglob("*") if COMPOSE_NAME.fullmatch(p.name) and ".git" not in p.parts)
    return found


def lint_reference(files: list[str], compose_lint: str | None) -> tuple[list[str], str]:
    if compose_lint:
        return [compose_lint, "check", *files], f"compose-lint on {len(files)} compose files"
    code = "import sys, yaml; [yaml.safe_load(open(f)) for f in sys.argv[1:]]"
    return [sys.executable, "-c", code, *files], f"PyYAML safe_load of {len(files)} compose files (no compose-lint)"


def doctor_command(given: str | None) -> list[str]:
    if given:
        return [given]
    script = Path(sys.executable).with_name("dind-doctor")
    return [str(script)] if script.exists() else [sys.executable, "-m", "dind_doctor"]


def figures(t: Timing) -> str:
    return f"{t.seconds:6.3f} s {t.cpu:6.3f} s {t.rss_mib:4.0f} MiB"


def rows(name: str, doctors: list[list[str]], timings: list[Timing], ref_name: str) -> None:
    """One line per dind-doctor executable; the reference's timing is the last of `timings`."""
    *ours_all, ref = timings
    for n, ours in enumerate(ours_all, 1):
        ratio = f"{ours.seconds / ref.seconds:5.2f}x {ours.cpu / ref.cpu:5.2f}x"
        label = name if len(doctors) == 1 else f"{name} #{n}"
        print(f"{label:<16} {figures(ours)} (exit {ours.code})  {figures(ref)}  {ratio}  vs {ref_name}")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--compose-lint", default=shutil.which("compose-lint"),
                        help="the compose-lint executable (default: from PATH)")
    parser.add_argument("--doctor", action="append",
                        help="a dind-doctor executable to time (default: beside this Python); give it twice, "
                             "before and after a change, to time both in the same rounds")
    parser.add_argument("--run-reference", action="store_true", help="also time run-reference (slow)")
    parser.add_argument("--user-repo", type=Path, help="a checkout of github.com/40tude/fraud_detection_2")
    args = parser.parse_args()
    doctors = [doctor_command(d) for d in args.doctor] if args.doctor else [doctor_command(None)]
    probe = os.environ.get("DIND_DOCTOR_PROBE_IMAGE", "busybox")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {os.cpu_count()} cores, load average "
          f"{load:.1f} at start; median of {args.runs} rounds after a warm-up, each command once per round; "
          "ratio = dind-doctor / reference")
    for n, doctor in enumerate(doctors, 1):
        print(f"#{n}: {' '.join(doctor)}")
    print(f"{'row':<16} {'dind-doctor: wall, CPU, peak RSS':<35}  {'reference: wall, CPU, RSS':<26}  "
          "ratio (wall, CPU)")
    static_rows = [("static seed", SEED), ("static repo", ROOT)]
    if args.user_repo:
        static_rows.append(("static user", args.user_repo.resolve()))
    for name, folder in static_rows:
        ref_cmd, ref_name = lint_reference(compose_files(folder), args.compose_lint)
        ours = [[*d, "check", "--static", "--project", str(folder)] for d in doctors]
        # the user's row a second time with the compile cache off, as a first run finds it (the warm-up fills
        # the cache), in the same rounds
        cold = [["DIND_DOCTOR_CACHE_DIR=", *cmd] for cmd in ours] if name == "static user" else []
        *timed, ref = measure([*ours, *cold, ref_cmd], args.runs)
        rows(name, doctors, [*timed[:len(ours)], ref], ref_name)
        if cold:
            rows("  cache off", doctors, [*timed[len(ours):], ref], ref_name)
    ours = [[*d, "check", "--project", str(SEED)] for d in doctors]
    rows("check engine", doctors, measure([*ours, ["docker", "run", "--rm", probe, "true"]], args.runs),
         f"docker run --rm {probe} true")
    rows("--help", doctors, measure([*[[*d, "--help"] for d in doctors], [sys.executable, "-c", "pass"]], args.runs),
         "python -c pass")
    if args.run_reference:
        from reference_stages import reference_row  # bench/, beside this script

        for doctor in doctors:
            print(reference_row(doctor, max(1, args.runs // 2)))


if __name__ == "__main__":
    main()
