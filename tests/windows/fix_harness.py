"""Runs the fixes the project checks print, for real, against fixture files, and asserts their effect.

    python tests/windows/fix_harness.py --shell pwsh|powershell|cmd|bash [--keep DIR]

For each case it builds a fixture project, runs the check in-process (static mode: no engine needed) with
the fixes written for the shell's dialect, executes the case's fix text in that shell from the fixture
folder, then checks the files: the CRLF fix really converts, the .gitattributes / .dockerignore /
.gitignore appends really append (and keep what was there), UTF-16 and BOM files end up UTF-8 with the
same text, a cp1252 .env ends up UTF-8 with its accents. Every other fix the checks print for the
fixtures (argument fragments, docker commands) is parsed, not run, in PowerShell.

The GitHub workflow .github/workflows/windows.yml runs it with pwsh, Windows PowerShell 5.1 and cmd;
tests/unit/test_fix_harness.py runs it here with bash, so that the harness itself is tested where it is
written.
"""
from __future__ import annotations

import argparse
import codecs
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

# The dialect of the fixes each executable runs (pwsh and Windows PowerShell read the same fix text).
DIALECT = {"pwsh": "powershell", "powershell": "powershell", "cmd": "cmd", "bash": "bash"}
TEXT = "#!/bin/sh\necho 'héllo wörld'\nexec \"$@\"\n"


@dataclass(frozen=True)
class Case:
    name: str
    check: str
    files: dict[str, bytes]
    summary: str  # a word of the summary of the finding whose fix is run
    verify: Callable[[Path], str | None]  # None when the fix did what it says, else what is wrong
    git: bool = False


def _same_text_utf8(rel: str, expected: str = TEXT) -> Callable[[Path], str | None]:
    def verify(root: Path) -> str | None:
        raw = (root / rel).read_bytes()
        if raw.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return f"{rel} still starts with a BOM: {raw[:4]!r}"
        if b"\r" in raw:
            return f"{rel} still holds CR bytes"
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            return f"{rel} is not UTF-8 after the fix: {exc}"
        return None if text == expected else f"{rel} text changed: {text!r} != {expected!r}"
    return verify


def _appended(rel: str, kept: str, *wanted: str) -> Callable[[Path], str | None]:
    def verify(root: Path) -> str | None:
        path = root / rel
        if not path.is_file():
            return f"{rel} was not created"
        raw = path.read_bytes()
        if b"\x00" in raw:
            return f"{rel} was written as UTF-16 (Windows PowerShell `>>`): git cannot read it"
        lines = raw.decode("utf-8").replace("\r\n", "\n").split("\n")
        if kept and kept not in lines:
            return f"{rel} lost its line {kept!r}: {lines!r}"
        missing = [w for w in wanted if w not in lines]
        return f"{rel} lacks the lines {missing!r}: {lines!r}" if missing else None
    return verify


COMPOSE_ENV = b"services:\n  app:\n    image: busybox\n    env_file: .env\n"
CASES = [
    Case("crlf-script", "line-endings", {"entrypoint.sh": TEXT.replace("\n", "\r\n").encode(),
                                         ".gitattributes": b"*.sh text eol=lf\n"},
         "CRLF", _same_text_utf8("entrypoint.sh")),
    Case("utf8-bom-script", "line-endings", {"entrypoint.sh": codecs.BOM_UTF8 + TEXT.encode(),
                                             ".gitattributes": b"*.sh text eol=lf\n"},
         "BOM", _same_text_utf8("entrypoint.sh")),
    Case("utf16-script", "line-endings", {"entrypoint.sh": codecs.BOM_UTF16_LE + TEXT.replace("\n", "\r\n").encode("utf-16-le"),
                                          ".gitattributes": b"*.sh text eol=lf\n"},
         "UTF-16", _same_text_utf8("entrypoint.sh")),
    Case("gitattributes-append", "line-endings", {"entrypoint.sh": TEXT.encode(), ".gitattributes": b"*.png binary\n"},
         ".gitattributes", _appended(".gitattributes", "*.png binary", "*.sh text eol=lf"), git=True),
    Case("dockerignore-append", "env-file", {"Dockerfile": b"FROM busybox\nCOPY . /app\n", "compose.yaml": COMPOSE_ENV,
                                             ".env": b"A=1\n", ".dockerignore": b"*.log\n"},
         "bakes", _appended(".dockerignore", "*.log", "**/.env")),
    Case("gitignore-append", "env-file", {"compose.yaml": COMPOSE_ENV, ".env": b"A=1\n", ".gitignore": b"build/\n"},
         "not ignored", _appended(".gitignore", "build/", ".env"), git=True),
    Case("env-cp1252", "env-file", {"compose.yaml": COMPOSE_ENV, ".env": "GREETING=héllo\n".encode("cp1252")},
         "not UTF-8", _same_text_utf8(".env", "GREETING=héllo\n")),
    Case("env-from-example", "env-file", {"compose.yaml": COMPOSE_ENV, ".env.example": b"A=\nB=2\n"},
         "does not exist", _appended(".env", "", "A=", "B=2")),
]


def build(case: Case, root: Path) -> None:
    for rel, data in case.files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(data)
    if case.git:
        subprocess.run(["git", "init", "-q", str(root)], check=True)


def findings(case: Case, root: Path, dialect: str) -> list:
    from dind_doctor.registry import checks_by_id
    from dind_doctor.context import Context
    from dind_doctor.runner import run_checks

    ctx = Context(project=root.resolve(), shell=dialect, shell_reason="fix harness", static=True)
    try:
        return run_checks(ctx, [checks_by_id()[case.check]])
    finally:
        ctx.close()


def fix_text(case: Case, found: list, dialect: str) -> str | None:
    """The case's fix in `dialect`, None when the check prints none for it (nothing to run)."""
    chosen = [f for f in found if case.summary in f.summary or (f.location and case.summary in f.location.path)]
    if not chosen:
        raise AssertionError(f"{case.name}: no finding with {case.summary!r}: "
                             f"{[(f.status.value, f.summary) for f in found]}")
    texts = [x.text for f in chosen for x in f.fixes if x.shell == dialect]
    return texts[0] if texts else None


def execute(shell: str, text: str, cwd: Path) -> subprocess.CompletedProcess:
    """Runs `text` as a script of `shell` from `cwd` (a file, so that no quoting layer changes it)."""
    if shell in ("pwsh", "powershell"):
        script = cwd.parent / f"{cwd.name}-fix.ps1"
        script.write_bytes(codecs.BOM_UTF8 + text.encode("utf-8"))  # 5.1 reads a BOM-less script as ANSI
        argv = [shell, "-NoProfile", "-NonInteractive", "-ExecutionPolicy", "Bypass", "-File", str(script)]
    elif shell == "cmd":
        script = cwd.parent / f"{cwd.name}-fix.cmd"
        script.write_bytes(("@echo off\r\n" + text + "\r\n").encode("utf-8"))
        argv = ["cmd", "/d", "/c", str(script)]
    else:
        script = cwd.parent / f"{cwd.name}-fix.sh"
        script.write_text(text + "\n", encoding="utf-8")
        argv = [shell, str(script)]
    return subprocess.run(argv, cwd=cwd, capture_output=True, text=True, timeout=120)


def parse_only(shell: str, texts: list[str], work: Path) -> list[str]:
    """PowerShell parses (never runs) the other fixes; the errors found, one line each."""
    if shell not in ("pwsh", "powershell") or not texts:
        return []
    problems = []
    for i, text in enumerate(texts):
        path = work / f"parse-{i}.ps1"
        path.write_bytes(codecs.BOM_UTF8 + text.encode("utf-8"))
        probe = ("$e = $null; $t = $null; [void][System.Management.Automation.Language.Parser]::ParseFile("
                 f"'{path}', [ref]$t, [ref]$e); if ($e.Count) {{ $e | ForEach-Object {{ $_.Message }}; exit 1 }}")
        done = subprocess.run([shell, "-NoProfile", "-NonInteractive", "-Command", probe], capture_output=True,
                              text=True, timeout=120)
        if done.returncode != 0:
            problems.append(f"does not parse: {text!r}: {done.stdout.strip()}")
    return problems


def run(shell: str, work: Path) -> list[str]:
    """Every case with `shell`; the failures, one message each (empty: every fix did what it says)."""
    dialect = DIALECT[shell]
    failures, others = [], set()
    for case in CASES:
        root = work / case.name
        root.mkdir(parents=True)
        build(case, root)
        found = findings(case, root, dialect)
        text = fix_text(case, found, dialect)
        others.update(x.text for f in found for x in f.fixes if x.shell == dialect and x.text != text)
        if text is None:
            print(f"{'none':6} {case.name:22} {shell}: the check prints no {dialect} fix")
            continue
        done = execute(shell, text, root)
        problem = case.verify(root)
        status = "ok" if problem is None else "FAILED"
        print(f"{status:6} {case.name:22} {shell}: {text}")
        if problem is not None:
            failures.append(f"{case.name} ({shell}): {problem}; exit {done.returncode}, "
                            f"stdout {done.stdout.strip()!r}, stderr {done.stderr.strip()!r}")
    failures += parse_only(shell, sorted(others), work)
    return failures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shell", required=True, choices=sorted(DIALECT))
    parser.add_argument("--keep", type=Path, help="build the fixtures here and keep them")
    args = parser.parse_args(argv)
    if shutil.which(args.shell) is None:
        print(f"{args.shell} is not on PATH", file=sys.stderr)
        return 2
    work = args.keep or Path(tempfile.mkdtemp(prefix="dind-doctor-fixes-"))
    work.mkdir(parents=True, exist_ok=True)
    failures = run(args.shell, work)
    for line in failures:
        print(line, file=sys.stderr)
    print(f"{len(CASES)} fixes run with {args.shell}: {len(failures)} failure(s)")
    if args.keep is None:
        shutil.rmtree(work, ignore_errors=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
