"""Issue 15's static and --help rows counted in executed instructions instead of seconds.

    apt-get install valgrind        # callgrind counts the instructions a process executes
    python bench/instructions.py [--compose-lint PATH] [--doctor PATH] [--user-repo /tmp/fd2]

Wall and CPU time move by 2x when other work shares the machine; the number of instructions a run executes
(valgrind's callgrind, threads included, children not) does not, so a start-up change of 3% shows. Each
command runs once plainly first (it writes the .pyc files and the compile cache: PYTHONDONTWRITEBYTECODE
is dropped, as in speed.py; with DIND_DOCTOR_CACHE_DIR set empty, the count is a run without the cache), then
once under callgrind (about 50 times slower). The ratio is dind-doctor / reference, as in speed.py's rows;
instructions are not time (a cache miss or a system call weighs more than an instruction), so quote them
beside speed.py's figures, not instead.
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from speed import CHILD_ENV, ROOT, SEED, compose_files, doctor_command, lint_reference  # noqa: E402


def python_script(cmd: list[str]) -> list[str]:
    """callgrind needs the interpreter itself: a console script (or a pyenv shim's target) is run by the
    Python its first line names."""
    path = Path(shutil.which(cmd[0]) or cmd[0])
    if path.parent.name == "shims" and shutil.which("pyenv"):  # pyenv's bash shim: its target instead
        found = subprocess.run(["pyenv", "which", path.name], capture_output=True, text=True).stdout.strip()
        path = Path(found) if found else path
    try:
        first = path.read_text(errors="replace").split("\n", 1)[0]
    except (OSError, UnicodeDecodeError):
        return cmd
    if first.startswith("#!") and "python" in first:
        return [*first[2:].split(), str(path), *cmd[1:]]
    return cmd


def instructions(cmd: list[str], cwd: Path = ROOT) -> float:
    cmd = python_script(cmd)
    subprocess.run(cmd, cwd=cwd, env=CHILD_ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=600)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "callgrind.out"
        subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", *cmd], cwd=cwd,
                       env=CHILD_ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=1800)
        match = re.search(r"^summary:\s*(\d+)", out.read_text(), re.M)
    if match is None:
        raise SystemExit(f"callgrind gave no count for {' '.join(cmd)}")
    return int(match.group(1)) / 1e6


def row(name: str, ours: float, ref: float, ref_name: str) -> None:
    print(f"{name:<14} {ours:9.1f} M {ref:9.1f} M  {ours / ref:5.2f}x  vs {ref_name}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--compose-lint", default=shutil.which("compose-lint"))
    parser.add_argument("--doctor", help="the dind-doctor executable to count (default: beside this Python)")
    parser.add_argument("--user-repo", type=Path, help="a checkout of github.com/40tude/fraud_detection_2")
    args = parser.parse_args()
    if not shutil.which("valgrind"):
        raise SystemExit("valgrind is not installed (apt-get install valgrind)")
    doctor = doctor_command(args.doctor)
    print(f"{' '.join(doctor)}; instructions executed (callgrind), after a warm-up; ratio = dind-doctor / reference")
    print(f"{'row':<14} {'dind-doctor':>11} {'reference':>11}  ratio")
    folders = [("static seed", SEED), ("static repo", ROOT)]
    if args.user_repo:
        folders.append(("static user", args.user_repo.resolve()))
    for name, folder in folders:
        ref_cmd, ref_name = lint_reference(compose_files(folder), args.compose_lint)
        row(name, instructions([*doctor, "check", "--static", "--project", str(folder)]), instructions(ref_cmd),
            ref_name)
    row("--help", instructions([*doctor, "--help"]), instructions([sys.executable, "-c", "pass"]), "python -c pass")


if __name__ == "__main__":
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    main()
