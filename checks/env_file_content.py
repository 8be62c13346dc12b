"""env-file, part 1: the content of one env_file (encoding, lines python-dotenv and compose read
differently, keys listed in a `.env.example` beside it). Values are never shown: keys, lines, masks."""
from __future__ import annotations

from dind_doctor.records import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from dind_doctor.model import Finding, Location, Status, fixes, same_fix
from dind_doctor.project.compose_model import EnvFileRef
from dind_doctor.project.dotenv_lint import lint
from dind_doctor.project.files import ProjectFiles
from dind_doctor.project.file_text import FileText

if TYPE_CHECKING:
    from dind_doctor.check import Check

ENV_FIXES = {
    "parse": "Line {line}: close the quote, or write KEY=value.",
    "export": "Line {line}: remove `export ` (compose and `--env-file` take plain KEY=value lines).",
    "spaces": "Line {line}: write `{key}=value` with no space around `=`.",
    "duplicate": "Line {line}: keep one definition of `{key}`.",
    "bad-key": "Line {line}: use letters, digits and `_` in the name.",
    "cr-value": "Line {line}: retype the value of `{key}`: an invisible carriage return sits inside it (VS Code shows "
                "it with \"Render Control Characters\").",
    "crlf": "Run `dind-doctor check line-endings --fix` (CRLF to LF, with a backup).",
}
SEVERITY = {"parse": Status.FAIL, "cr-value": Status.FAIL, "export": Status.WARN, "spaces": Status.WARN,
            "duplicate": Status.WARN, "bad-key": Status.WARN, "crlf": Status.WARN}
EXAMPLE_NAMES = ("{name}.example", ".env.example", "{name}.sample", ".env.sample", "{name}.template",
                 ".env.template", ".env.dist")


@dataclass(frozen=True)
class Parsed:
    """An env_file whose content passed: its values (compared by hash in the live probe, never shown) and
    the keys the module needs (those of the example, else all)."""

    ref: EnvFileRef
    values: dict[str, str | None]
    needed: list[str]


def example_for(env_path: Path) -> Path | None:
    for pattern in EXAMPLE_NAMES:
        candidate = env_path.parent / pattern.format(name=env_path.name)
        if candidate.is_file():
            return candidate
    return None


def _encoding(check: "Check", c: FileText) -> list[Finding]:
    out = []
    if c.problem:  # not UTF-8
        out.append(check.finding(Status.FAIL, f"{c.problem}", location=Location(c.rel, c.bad_byte_line),
                                 detail="`docker run --env-file` refuses it (`invalid utf8 bytes at line N`) and "
                                        "values reach the module garbled. Save it as UTF-8.",
                                 # the code page named, as iconv does: PowerShell 7's Get-Content reads UTF-8
                                 fixes=fixes(powershell=f"$p = (Resolve-Path '{c.rel}').Path; [IO.File]::WriteAllText("
                                                        "$p, [IO.File]::ReadAllText($p, [Text.Encoding]::GetEncoding"
                                                        "(1252)), (New-Object Text.UTF8Encoding $false))",
                                             bash=f"iconv -f WINDOWS-1252 -t UTF-8 '{c.rel}' > '{c.rel}.tmp' && "
                                                  f"mv '{c.rel}.tmp' '{c.rel}'")))
    if c.utf16:
        out.append(check.finding(Status.FAIL, "UTF-16: compose reads every key with NUL bytes in it",
                                 location=Location(c.rel, 1),
                                 detail="Windows PowerShell 5.1 `>` and `Out-File` write UTF-16. The module gets "
                                        "none of its variables.",
                                 fixes=same_fix("Run `dind-doctor check line-endings --fix`, or re-save the file "
                                                "as UTF-8.")))
    elif c.bom:
        out.append(check.finding(Status.WARN, "starts with a UTF-8 BOM", location=Location(c.rel, 1, 1),
                                 detail="python-dotenv before 1.2.2 reads the first key as `\\ufeffKEY` and "
                                        "the module never sees it; `source .env` fails on the first line.",
                                 fixes=same_fix("Run `dind-doctor check line-endings --fix`.")))
    return out


def content_findings(check: "Check", files: ProjectFiles, c: FileText, ref: EnvFileRef,
                     where: Location) -> tuple[list[Finding], Parsed | None]:
    """Findings about the file's content; Parsed when nothing in it fails (the live probe's input)."""
    if not c.usable:
        return [check.finding(Status.FAIL, f"cannot be read as a .env file: {c.problem}", location=Location(c.rel),
                              detail=f"Used by service {ref.service} ({where}).")], None
    out = _encoding(check, c)
    if c.utf16:
        return out, None
    report = lint(c.text)
    for issue in report.issues:
        out.append(check.finding(SEVERITY[issue.kind], f"{issue.message}",
                                 location=Location(c.rel, issue.line, issue.column),
                                 evidence={"key": issue.key} if issue.key else {},
                                 fixes=same_fix(ENV_FIXES[issue.kind].format(line=issue.line, key=issue.key or ""))))
    needed, source = needed_keys(files, ref.path)
    for key in needed:
        if key not in report.values:
            out.append(check.finding(Status.FAIL, f"`{key}` is missing (listed in {source})",
                                     location=Location(c.rel), fixes=same_fix(f"Add a line `{key}=...` to {c.rel}.")))
        elif not report.values[key]:
            out.append(check.finding(Status.FAIL, f"`{key}` is empty (the module needs it, {source})",
                                     location=Location(c.rel, report.lines[key]),
                                     fixes=same_fix(f"Give `{key}` a value at line {report.lines[key]}.")))
    if any(f.status is Status.FAIL and f.location and f.location.path == c.rel for f in out):
        return out, None
    return out, Parsed(ref, dict(report.values), needed or list(report.keys))


def needed_keys(files: ProjectFiles, env_path: Path) -> tuple[list[str], str | None]:
    """The keys listed in the example beside `env_path`, and the example's name."""
    example = example_for(env_path)
    if example is None:
        return [], None
    content = files.read(example)
    return (lint(content.text).keys if content.usable else []), example.name
