"""line-endings: CRLF, BOM and UTF-16 in the files that end up inside Linux containers."""
from __future__ import annotations

import re
from pathlib import Path

from dind_doctor.check import Check
from dind_doctor.context import Context
from dind_doctor.model import Finding, Fix, Location, Status, fixes
from dind_doctor.project import gitattributes
from dind_doctor.project.file_names import is_compose_name, is_dockerfile_name, is_env_name
from dind_doctor.evidence_shapes import command_shape, line_shape
from dind_doctor.project.files import ProjectFiles, project_files
from dind_doctor.project.file_text import FileText
from dind_doctor.project.fixers import FixError, append_fixes, append_with_backup, to_lf, to_utf8, write_with_backup

GITATTRIBUTES_HEADER = "# dind-doctor: files used inside Linux containers keep LF line endings"

CONSEQUENCE = {
    "script": "A shebang line ending in CR names the interpreter `/bin/sh\\r`, which does not exist: the "
              "container fails with `exec /entrypoint.sh: no such file or directory`, and `sh script.sh` "
              "with `$'\\r': command not found`.",
    "dockerfile": "Docker reads a CRLF Dockerfile, but heredocs (`RUN <<EOF`) and scripts written from it keep "
                  "the CR, and it shows that the checkout converts line endings.",
    "compose": "docker compose reads CRLF YAML, but it shows that the checkout converts line endings (the "
               "scripts next to it are then CRLF too).",
    "env": "docker compose trims the CR from unquoted values, but `source .env` in sh and older parsers keep "
           "it: a password or URL ending in `\\r` fails to authenticate or to resolve.",
    "requirements": "pip reads CRLF, but it shows that the checkout converts line endings (the scripts "
                    "next to it are then CRLF too).",
}
KIND_NAMES = {"script": "script", "dockerfile": "Dockerfile", "compose": "compose file", "env": ".env file",
              "requirements": "requirements file"}
SCRIPT_NAMES = re.compile(r"^(docker-)?entrypoint([._-].*)?$", re.IGNORECASE)
# Windows scripts and documentation: never run in a Linux container (and not read to find out).
NOT_IN_CONTAINERS = (".ps1", ".psm1", ".bat", ".cmd", ".md", ".markdown")
# Data, media and archives: no shebang makes them scripts, so their head is not read (a data folder of
# thousands of files cost one open each).
DATA_SUFFIXES = (".csv", ".tsv", ".parquet", ".avro", ".orc", ".feather", ".arrow", ".npy", ".npz", ".pkl",
                 ".pickle", ".h5", ".hdf5", ".onnx", ".pt", ".pth", ".ckpt", ".safetensors", ".joblib", ".db",
                 ".sqlite", ".png", ".jpg", ".jpeg", ".gif", ".webp", ".svg", ".ico", ".pdf", ".mp3", ".mp4",
                 ".wav", ".zip", ".gz", ".tgz", ".bz2", ".xz", ".zst", ".7z", ".tar", ".whl", ".jar", ".so", ".dll",
                 ".exe", ".pyc", ".log", ".xlsx", ".xls", ".docx", ".pptx", ".ttf", ".woff", ".woff2")
NO_SHEBANG = (".html", ".htm", ".css", ".xml", ".json", ".ipynb", ".toml", ".cfg", ".ini", ".txt", ".rst",
              ".properties", ".bak", ".lock", ".yml", ".yaml")


def kind_of(path: Path, head: bytes) -> str | None:
    """What a file is for, when it ends up in a Linux container; None for the rest."""
    name = path.name
    lower = name.lower()
    if lower.endswith(NOT_IN_CONTAINERS):
        return None
    shebang = head.lstrip(b"\xef\xbb\xbf").startswith(b"#!") or head.startswith((b"\xff\xfe#\x00!", b"\xfe\xff\x00#"))
    if lower.endswith((".sh", ".bash")) or SCRIPT_NAMES.match(name) or shebang:
        return "script"
    if is_dockerfile_name(name):
        return "dockerfile"
    if is_compose_name(name):
        return "compose"
    if is_env_name(name):
        return "env"
    if re.match(r"^(requirements|constraints).*\.(txt|in)$", lower):
        return "requirements"
    return None


def quoted_line(line: str, kind: str, bom: bool) -> str:
    """The line with the CR, as evidence shows it: its shape, never a value (.env and compose lines, a
    Dockerfile's ENV/ARG/LABEL hold credentials; a script line or another instruction keeps its command,
    each `KEY=value` masked)."""
    instruction = line.split(None, 1)[0].upper() if line.strip() else ""
    if kind in ("script", "requirements") or (kind == "dockerfile" and instruction not in ("ENV", "ARG", "LABEL")):
        shown = command_shape(line.rstrip("\r\n")) + ("␍" if line.endswith("\r") else "")
        return ("[BOM]" if bom else "") + shown
    return line_shape(("\ufeff" if bom else "") + line.rstrip("\n"))


def manual_fix(rel: str, what: str) -> tuple[Fix, ...]:
    quoted = "'" + rel.replace("'", "''") + "'"
    sed = {"crlf": f"sed -i 's/\\r$//' '{rel}'",
           "bom": f"sed -i '1s/^\\xEF\\xBB\\xBF//' '{rel}'",
           "utf16": f"iconv -f UTF-16 -t UTF-8 '{rel}' > '{rel}.tmp' && mv '{rel}.tmp' '{rel}'"}[what]
    if what == "utf16":
        sed += f" && sed -i 's/\\r$//' '{rel}'"
    return fixes(
        powershell=f"$p = (Resolve-Path {quoted}).Path; $t = [IO.File]::ReadAllText($p); "
                   f"[IO.File]::WriteAllText($p, ($t -replace \"`r`n\", \"`n\"), (New-Object Text.UTF8Encoding $false))",
        cmd="dind-doctor check line-endings --fix",  # cmd has no byte-safe way; the tool's own repair is one
        bash=sed)


class LineEndings(Check):
    """Finds CRLF line endings, a UTF-8 BOM or UTF-16 in the files that end up inside Linux containers.

    Shell scripts and entrypoints (by name or shebang, Python files with a shebang included), Dockerfiles,
    compose files, .env files and requirements files. Windows editors and a git checkout with
    `core.autocrlf=true` write CRLF; Windows PowerShell 5.1 `Out-File`, `>` and `>>` write UTF-16LE with a
    BOM, and `Set-Content -Encoding UTF8` a UTF-8 BOM. In a container a CRLF shebang script fails with
    `exec /entrypoint.sh: no such file or directory` (the interpreter is `/bin/sh\\r`), a BOM hides the
    `#!`, and UTF-16 is unreadable to sh, docker and compose alike. Mixed endings are reported too.

    It also checks that .gitattributes pins `eol=lf` for these files, so that a fresh Windows clone cannot
    bring the problem back.

    Fix: `dind-doctor check line-endings --fix` converts in place (CRLF to LF, UTF-16 or BOM to plain
    UTF-8, every other byte kept, a backup of each file) and appends the missing `eol=lf` lines to
    .gitattributes; then `git add --renormalize .`. Each finding also gives the command for your shell.
    """

    id = "line-endings"
    title = "Line endings and encodings of files used in containers"
    project_check = True

    def run(self, ctx: Context) -> list[Finding]:
        files = project_files(ctx)
        findings: list[Finding] = []
        targets: list[tuple[FileText, str]] = []
        for path in files.paths:
            lower = path.name.lower()
            if path.name == ".gitattributes" or lower.endswith(NOT_IN_CONTAINERS) or lower.endswith(DATA_SUFFIXES):
                continue
            # Markup and config files run by no interpreter: their name says what they are, no head read.
            kind = kind_of(path, b"" if lower.endswith(NO_SHEBANG) else files.head(path))
            if kind is None:
                continue
            content = files.read(path)
            targets.append((content, kind))
            findings.extend(self._file_findings(ctx, content, kind))
        if not targets:
            return [self.finding(Status.SKIP, "no script, Dockerfile, compose, .env or requirements file in the "
                                              "project")]
        findings.extend(self._gitattributes(ctx, files, [c for c, _ in targets]))
        if not findings:
            findings.append(self.finding(Status.OK, f"{len(targets)} file(s) used in containers: LF, UTF-8 "
                                                    "without BOM, pinned by .gitattributes"))
        return findings

    # -- one file -----------------------------------------------------------------------------
    def _file_findings(self, ctx: Context, c: FileText, kind: str) -> list[Finding]:
        name = KIND_NAMES[kind]
        if not c.usable:
            return [self.finding(Status.WARN, f"cannot be checked: {c.problem}", location=Location(c.rel),
                                 detail=f"A {name} that is not text cannot work in a container.")]
        out: list[Finding] = []
        if c.truncated:
            out.append(self.finding(Status.WARN, f"{c.size} bytes, only the first MiB was checked",
                                    location=Location(c.rel)))
        problems = []
        evidence: dict = {"kind": name, "encoding": c.encoding}
        if c.utf16:
            problems.append(("utf16", f"UTF-16 ({c.encoding.upper()}{', BOM' if c.bom else ''})",
                             "What Windows PowerShell 5.1 `Out-File`, `>` and `>>` write. sh, docker, compose "
                             "and pip read it as bytes with a NUL after every character: nothing in it works."))
        elif c.bom:
            problems.append(("bom", "a UTF-8 BOM",
                             "The three invisible bytes EF BB BF come first: " +
                             ("the kernel no longer sees `#!` and the script fails with `exec format error`."
                              if kind == "script" else
                              "python-dotenv before 1.2.2 silently loses the first key, and some tools read "
                              "the first word as `\\ufeffFROM` or `\\ufeffKEY`.")))
        text = c.text
        crlf = text.count("\r\n")
        lone_cr = text.count("\r") - crlf
        lf = text.count("\n") - crlf
        line = column = None
        if crlf or lone_cr:
            first = text.index("\r")
            breaks = list(re.finditer(r"\r\n|\n|\r", text[:first]))
            line = len(breaks) + 1
            line_start = breaks[-1].end() if breaks else 0
            column = first - line_start + 1
            evidence.update({"CRLF lines": crlf, "LF lines": lf, "CR-only lines": lone_cr,
                             f"line {line}": quoted_line(text[line_start:first + 1], kind, c.bom and line == 1)})
            mixed = bool(lf) or (crlf and lone_cr)
            label = "mixed line endings" if mixed else ("CRLF line endings" if crlf else "CR line endings")
            problems.append(("crlf", f"{label} ({crlf} CRLF, {lf} LF)" if mixed else label, CONSEQUENCE[kind]))
        if c.problem:
            evidence["note"] = c.problem
        if not problems:
            return out
        fatal = kind == "script" or any(p[0] == "utf16" for p in problems)
        status = Status.FAIL if fatal else Status.WARN
        if ctx.fix and not c.truncated:
            return out + [self._apply(ctx, c, problems)]
        what = " and ".join(p[1] for p in problems)
        return out + [self.finding(
            status, f"{name} with {what}", location=Location(c.rel, line or 1, column),
            detail=" ".join(p[2] for p in problems), evidence=evidence,
            fixes=manual_fix(c.rel, problems[0][0]))]

    def _apply(self, ctx: Context, c: FileText, problems: list[tuple[str, str, str]]) -> Finding:
        # UTF-16 is decoded and re-encoded; anything else is edited as bytes, so that a file that is not
        # valid UTF-8 keeps every other byte.
        new = to_lf(to_utf8(c.text)) if c.utf16 else to_lf(c.raw[3:] if c.bom else c.raw)
        try:
            backup = write_with_backup(ctx, c.path, new)
        except FixError as exc:
            return self.finding(Status.FAIL, f"not fixed: {exc}", location=Location(c.rel))
        return self.finding(Status.OK, f"fixed: {c.rel} converted from {' and '.join(p[1] for p in problems)} to "
                                       "UTF-8 with LF", location=Location(c.rel), evidence={"backup": backup})

    # -- .gitattributes -----------------------------------------------------------------------
    def _gitattributes(self, ctx: Context, files: ProjectFiles, targets: list[FileText]) -> list[Finding]:
        inner = files.named(".gitattributes")

        def read(path: Path) -> str | None:
            c = files.read(path)
            return c.text if c.usable else None

        attrs = gitattributes.load(files.root, inner, read)
        loose = [c for c in targets if not attrs.eol_lf(c.path)]
        if not loose:
            return []
        patterns = sorted({gitattributes.pattern_for(c.path.name) for c in loose})
        lines = [f"{p} text eol=lf" for p in patterns]
        own = files.root / ".gitattributes"
        if ctx.fix:
            try:
                backup = append_with_backup(ctx, own, [GITATTRIBUTES_HEADER, *lines])
            except FixError as exc:
                return [self.finding(Status.FAIL, f"not fixed: {exc}", location=Location(".gitattributes"))]
            return [self.finding(Status.OK, f"fixed: .gitattributes now pins eol=lf for {', '.join(patterns)}",
                                 location=Location(".gitattributes"),
                                 evidence={"backup": backup or "none (new file)",
                                           "then": "git add --renormalize . && git commit"})]
        return [self.finding(
            Status.WARN, f"no .gitattributes pins eol=lf for {len(loose)} file(s) used in containers",
            location=Location(".gitattributes"),
            detail="Without it, a Windows clone with core.autocrlf=true (Git for Windows' default) checks these "
                   "files out with CRLF, and the scripts fail inside the container.",
            evidence={"files": ", ".join(c.rel for c in loose[:8]) + (" ..." if len(loose) > 8 else ""),
                      "read": ", ".join(str(p) for p in attrs.files) or "none"},
            fixes=append_fixes(".gitattributes", [GITATTRIBUTES_HEADER, *lines], then="git add --renormalize ."))]
