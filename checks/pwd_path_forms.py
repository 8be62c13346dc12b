"""pwd-path-forms: how scripts hand a host path to `docker -v`, per shell, and whether the daemon sees it."""
from __future__ import annotations

import re

from dind_doctor.check import Check, Option
from dind_doctor.context import Context
from dind_doctor.model import Finding, Fix, Location, Status, fixes, same_fix
from dind_doctor.project.files import project_files
from dind_doctor.project.host_paths import has_drive
from dind_doctor.project.current_folder import NOT_CMD, folder_refs
from dind_doctor.project.docker_commands import MountArg
from dind_doctor.project.ps_arguments import drive_errors
from dind_doctor.project.ps_locations import (LocationMove, last_move, moves_in, names_folder_unreadably,
                                              provider_path_form)
from dind_doctor.project.ps_pipelines import parses_nowhere
from dind_doctor.project.pstokens import Source, TokenBudgetExceeded
from dind_doctor.project.scripts import ScriptSource

from .pwd_path_probe import live_findings, warm

# about_Providers / Get-Location: at a UNC or provider-qualified location `$PWD` renders as
# `Microsoft.PowerShell.Core\FileSystem::\\server\share`, which docker cannot read.
PROVIDER_PATH = ("Where the script may run from a UNC share or a provider-qualified location, write "
                 "`\"$($PWD.ProviderPath):/target\"`: `$PWD` then renders as "
                 "`Microsoft.PowerShell.Core\\FileSystem::\\\\server\\share`.")
QUOTED_FORM = {"powershell": '-v "${PWD}/sub:/target"', "bash": '-v "$(pwd)/sub:/target"',
               "cmd": '-v "%cd%\\sub:/target"'}
# After `--%` these stay as written: cmd's `%cd%` (no environment variable) and any PowerShell `$...`.
VERBATIM_LITERAL = re.compile(r"%cd%|\$\{[^}]*\}|\$\([^)]*\)|\$[\w:]+", re.I)
# cmd's variables: `%name%` (`%cd%` included), `%name:~0,2%`, and a batch parameter `%~dp0`, `%1`.
CMD_VARIABLE = re.compile(r"%~[a-z]*[0-9]|%[0-9]|%[A-Za-z_][^%\s]*%", re.I)
# A bash continuation in a .bat/.cmd: ` \` ending a line whose next line starts like a continued argument.
BASH_CONTINUATION = re.compile(r"[ \t]\\[ \t]*\r?\n[ \t]*(?=-|\"|[A-Za-z0-9_./]+[:=])")
MSYS_MENTION = re.compile(r"MSYS_NO_PATHCONV|MSYS2_ARG_CONV_EXCL")
HOST_PATH_FLAGS = ("-v", "--volume", "--mount")


def _source_target(arg: MountArg) -> tuple[str, str]:
    """The host source and the container target of a `-v` spec; only the source of a --mount (its
    `dst=` is no argument of its own, which Git Bash would rewrite)."""
    return arg.mount.source, "" if arg.flag == "--mount" else arg.mount.target


class PwdPathForms(Check):
    """Checks how scripts hand a host folder to `docker -v`, in the dialect of each shell, and proves with
    a probe that the daemon sees the folder the run script mounts.

    PowerShell (about_Parsing, argument mode): a value that begins with a quoted string, `$(...)`, `(...)`,
    `@(...)` or a variable with member access or an index and goes on is two arguments: `-v $(pwd):/code`,
    `-v "$PWD":/code`, `-v (Get-Location):/code`, `-v $PWD.Path:/code` (`docker: invalid reference format`);
    the fix is ONE double-quoted string, `"${PWD}:/code"`, `"$($PWD.Path):/code"`. After `Set-Location`,
    `cd` or `Push-Location` to a UNC share (or to a New-PSDrive drive), `$PWD` and `.Path` are PowerShell
    paths (`Microsoft.PowerShell.Core\\FileSystem::\\\\server\\share`): the fix is `"$($PWD.ProviderPath):/code"`.
    `$name:` followed by a non-name character (`$PWD:/code`, `"$name:$version"`, here-strings too)
    does not parse (InvalidVariableReferenceWithDrive) and stops the whole script: reported once per file.
    After `--%` `%cd%` and `$...` reach docker as written. cmd: any unquoted `%name%` or `%~dp0` source
    splits at spaces, a bash ` \\` continuation ends the command. `${PWD}` works, and quoting the whole spec
    keeps a path with spaces in one piece in every shell. cmd
    does not know `$(pwd)`: docker takes it as a volume NAME (`includes invalid characters for a local
    volume name`); `%cd%` must be quoted when the path may hold spaces. bash splits an unquoted `$(pwd)`
    at spaces. Git Bash (MSYS) rewrites every argument that looks like a POSIX path, the container side
    included (`/var/run/docker.sock`, `:/home/hosted`): write `//var/...` or run with `MSYS_NO_PATHCONV=1`.
    A relative source (`./app:/x`) is made absolute on the client, where the daemon may not see it (a
    container driving the host's daemon), and `app/x:/y` is refused as a volume name.

    With an engine, the folder the run script mounts (its `${PWD}/...` source, from the project folder,
    the script's folder or its parent) gets a sentinel file, is mounted into a labelled probe container the
    way the script does (translated to the daemon's path when running in a container), and the probe must
    read the sentinel back. An empty mount means the path was resolved on another host (a container
    driving the host's daemon), Docker Desktop does not share that drive, or the path has a typo.
    """

    id = "pwd-path-forms"
    title = "Host paths handed to docker -v"
    time_limit = 40.0
    project_check = True
    # Each live probe is one container (about 0.4 s): a cap keeps a project with many scripts fast.
    options = {"live-probes": Option(int, 3, "how many distinct host folders the live probe mounts", minimum=0)}

    def warm(self, ctx: Context) -> None:
        warm(self, ctx)

    def run(self, ctx: Context) -> list[Finding]:
        files = project_files(ctx)
        gitbash = ctx.shell == "gitbash" or ctx.platform == "win32" or bool(ctx.env.get("MSYSTEM"))
        findings: list[Finding] = []
        live: list[tuple[ScriptSource, MountArg, str]] = []
        n_args = 0
        parse_failed: set[str] = set()  # files already reported as not parsing: once per file
        for dialect in ("powershell", "bash", "cmd"):
            for source in ctx.project_model.scripts.of(dialect).sources:
                try:  # each file its own budget: one pathological file is an error, the others are still read
                    commands = source.docker_commands
                except (TokenBudgetExceeded, RecursionError) as exc:
                    findings.append(self.finding(Status.ERROR, "not checked: the file exceeded its reading budget",
                                                 location=Location(source.rel, source.first_line),
                                                 detail=f"{type(exc).__name__}: {exc}"))
                    continue
                args = [m for c in commands for m in c.mounts if m.flag in HOST_PATH_FLAGS]
                if dialect == "cmd" and (m := BASH_CONTINUATION.search(source.text)):
                    findings.append(self._cmd_backslash(source, m.start()))
                if dialect == "powershell" and source.rel not in parse_failed:
                    stop = self._drive_error(source, args)
                    if stop is not None:
                        parse_failed.add(source.rel)
                        findings.append(stop)
                # a line starting with `|` that no PowerShell parses (backtick-continuation says where): no
                # line of the script runs, so none is probed live; one that only 5.1 rejects runs in PowerShell 7
                never_runs = dialect == "powershell" and parses_nowhere(source.text, source.first_line, source.tokens)
                msys_aware = bool(MSYS_MENTION.search(source.text))
                moves = moves_in(source.text, source.first_line, source.tokens) if dialect == "powershell" and args else []
                for arg in args:
                    n_args += 1
                    src, target = _source_target(arg)
                    static = self._static(source, dialect, arg, src, target, gitbash and not msys_aware)
                    # after a move to a UNC share or a PowerShell drive: not this folder (no live probe), and
                    # `$PWD` is no path docker reads
                    move = last_move(arg.line, moves) if moves else None
                    if move is not None and names_folder_unreadably(arg.value):
                        static.append(self._provider_location(source, arg, move))
                    findings.extend(static)
                    # it would not run as written (nor would any line of a script that does not parse)
                    broken = any(f.status is Status.FAIL for f in static) or source.rel in parse_failed or never_runs \
                        or move is not None
                    if not source.markdown and not broken and folder_refs(dialect).search(src):
                        live.append((source, arg, folder_refs(dialect).sub("", src, count=1)))
        findings.extend(live_findings(self, ctx, files, live))
        if not findings:
            if not n_args:
                return [self.finding(Status.SKIP, "no `docker -v`/`--mount` in the project's scripts")]
            findings.append(self.finding(Status.OK, f"{n_args} docker -v/--mount argument(s): every host path is "
                                                    "written in a form its shell passes whole"))
        return findings

    # -- static -----------------------------------------------------------------------------------
    def _static(self, source: ScriptSource, dialect: str, arg: MountArg, src: str, target: str,
                gitbash: bool) -> list[Finding]:
        """`src` and `target`: _source_target(arg)."""
        out = []
        where = Location(source.rel, arg.line, arg.column)
        hard = Status.WARN if source.markdown else Status.FAIL
        block = " (in a Markdown code block)" if source.markdown else ""
        refs = folder_refs(dialect)

        def add(status: Status, summary: str, detail: str, fix: tuple[Fix, ...]) -> None:
            out.append(self.finding(status, summary + block, detail=detail, location=where,
                                    evidence={"argument": f"{arg.flag} {arg.text}", "shell": dialect}, fixes=fix))

        quoted = '"' + arg.value.replace('"', "") + '"'
        if dialect == "powershell":
            one = f"{arg.flag} {arg.word.ps_one_string}" if arg.word.ps_one_string else f"{arg.flag} {quoted}"
            if arg.word.ps_verbatim and (m := VERBATIM_LITERAL.search(arg.value)):
                add(hard, f"`{m.group(0)}` after `--%` reaches docker as written: PowerShell expands no variable there",
                    "After the stop-parsing token `--%` (about_Parsing) PowerShell passes the rest of the line as is: "
                    "only `%name%` ENVIRONMENT variables expand, and `%cd%` is cmd's, not an environment variable; "
                    "`$...` stays literal too. A backtick at the end of that line is passed as is as well: it does "
                    "not continue the command.",
                    fixes(powershell=f'Drop `--%` and write {arg.flag} "${{PWD}}' + arg.value[m.end():] + '"'))
            elif arg.ps_bad_drive:
                pass  # a parse error of the whole script: reported once per file (_drive_errors)
            elif arg.ps_split:
                rest = arg.text[len(arg.ps_split):]
                add(hard, f"`{arg.ps_split}` followed by `{rest}` is two arguments in PowerShell",
                    f"In argument mode (about_Parsing) a value that begins with a quoted string, `$(...)`, `(...)`, "
                    f"`@(...)` or a variable with member access or an index ends with that element: PowerShell "
                    f"passes `{arg.ps_split}` and `{rest}` to docker as two arguments, and docker takes the second "
                    "as the image name (`docker: invalid reference format`). Inside ONE double-quoted string only "
                    f"simple variables expand (about_Quoting_Rules): an expression needs `$(...)`. {PROVIDER_PATH}",
                    fixes(powershell=one))
            elif m := refs.search(arg.unquoted):
                add(Status.WARN, f"unquoted `{m.group(0)}` in a docker {arg.flag} spec",
                    "PowerShell keeps a simple variable and the characters after it in one argument, so this works "
                    "today; quote the whole spec so that it stays one argument when the line is copied to another "
                    f"shell and in front of paths with spaces or `$`. {PROVIDER_PATH}",
                    fixes(powershell=one))
        elif dialect == "cmd":
            m = NOT_CMD.search(arg.value)
            if m:
                add(hard, f"`{m.group(0)}` is not a cmd variable: docker takes it as a volume name",
                    f"cmd passes `{m.group(0)}` literally; docker answers `\"{m.group(0)}\" includes invalid "
                    "characters for a local volume name`.",
                    fixes(cmd=f'{arg.flag} "{NOT_CMD.sub("%cd%", arg.value)}"'))
            elif m := CMD_VARIABLE.search(arg.unquoted):
                add(Status.WARN, f"unquoted `{m.group(0)}` in a docker {arg.flag} spec: a path with spaces splits",
                    f"cmd substitutes `{m.group(0)}` before splitting the line, so `C:\\My Projects\\x` becomes "
                    "two arguments and docker takes `Projects\\x:/...` as the image.", fixes(cmd=f"{arg.flag} {quoted}"))
        else:
            if m := refs.search(arg.unquoted):
                add(Status.WARN, f"unquoted `{m.group(0)}` in a docker {arg.flag} spec: "
                                 "a path with spaces splits",
                    "bash splits an unquoted expansion at spaces: docker then takes the rest as the image name.",
                    fixes(bash=f"{arg.flag} {quoted}"))
            if gitbash and (src.startswith("/") and not src.startswith("//") or target.startswith("/")):
                add(Status.WARN, "Git Bash rewrites this POSIX path before docker sees it",
                    "Git Bash (MSYS) converts arguments that look like POSIX paths for Windows programs: "
                    "`/var/run/docker.sock` becomes `C:/Program Files/Git/var/run/docker.sock`, and the "
                    "container side of the mount is rewritten too.",
                    fixes(gitbash=f"MSYS_NO_PATHCONV=1 docker ...   # or write //{src.lstrip('/')}:{target}"))
        out.extend(self._relative(source, dialect, arg, src, where, hard, block))
        return out

    def _provider_location(self, source: ScriptSource, arg: MountArg, move: LocationMove) -> Finding:
        fixed = provider_path_form(arg.word.ps_one_string or '"' + arg.value + '"')
        return self.finding(
            Status.WARN if source.markdown else Status.FAIL,
            f"the current folder in `{arg.flag} {arg.text}` is {move.why} (line {move.line}): PowerShell renders "
            "it as a path docker cannot read" + (" (in a Markdown code block)" if source.markdown else ""),
            location=Location(source.rel, arg.line, arg.column),
            evidence={"argument": f"{arg.flag} {arg.text}", "location set": f"line {move.line}: {move.command}",
                      "shell": "powershell"},
            detail="After that move `$PWD`, `$(pwd)` and `(Get-Location)`, `.Path` included, are PowerShell paths: "
                   "`Microsoft.PowerShell.Core\\FileSystem::\\\\server\\share\\...` at a UNC share (the prompt "
                   "shows it), `Name:\\...` on a New-PSDrive drive; docker receives that text and cannot read it. "
                   "`$PWD.ProviderPath` is the path the file system knows (`\\\\server\\share\\...`). Docker "
                   "Desktop must still be able to share that path: a drive letter mapped by Windows or a local copy is "
                   "the safer source.",
            fixes=fixes(powershell=f"{arg.flag} {fixed}"))

    def _cmd_backslash(self, source: ScriptSource, offset: int) -> Finding:
        line, column = Source(source.text, source.first_line).position(offset + 1)
        return self.finding(
            Status.WARN if source.markdown else Status.FAIL,
            "bash `\\` line continuation in a cmd script: the command ends at this line"
            + (" (in a Markdown code block)" if source.markdown else ""),
            location=Location(source.rel, line, column), evidence={"shell": "cmd"},
            detail="cmd continues a line with `^` as its last character; `\\` is passed to the program as a literal "
                   "argument, cmd runs the command without the lines after it, then runs the next line on its own.",
            fixes=fixes(cmd=f"Line {line}: replace the final ` \\` with ` ^` (`^` as the last character)"))

    def _drive_error(self, source: ScriptSource, args: list[MountArg]) -> Finding | None:
        """The first `$name:` the parser rejects (about_Variables: `:` after a name means a drive or scope);
        one such error and PowerShell runs NO line of the script."""
        errors = drive_errors(source.tokens)
        if not errors:
            return None
        first = errors[0]
        line, column = Source(source.text, source.first_line).position(first.offset)
        name = first.variable.lstrip("$")
        in_arg = next((a for a in args if a.word.line == line and a.word.ps_one_string and
                       a.column <= column < a.column + len(a.text)), None)
        fix = f"{in_arg.flag} {in_arg.word.ps_one_string}" if in_arg else \
            f"Write ${{{name}}} (braces) where `{first.variable}:` is followed by text, at line {line} and everywhere else"
        more = f" ({len(errors)} such references in this file)" if len(errors) > 1 else ""
        return self.finding(
            Status.WARN if source.markdown else Status.FAIL,
            f"`{first.variable}:` does not parse in PowerShell (InvalidVariableReferenceWithDrive): the whole "
            "script stops" + (" (in a Markdown code block)" if source.markdown else ""),
            location=Location(source.rel, line, column), evidence={"variable": first.variable, "shell": "powershell"},
            detail=f"PowerShell reads `{first.variable}:` as a drive- or scope-qualified variable (like `$env:PATH`); "
                   "followed by a character that cannot start a name it is a parse error (\"Variable reference is not "
                   "valid. ':' was not followed by a valid variable name character\"), in code and inside "
                   f"double-quoted strings and here-strings alike, and a parse error stops the WHOLE script{more}.",
            fixes=fixes(powershell=fix))

    def _relative(self, source: ScriptSource, dialect: str, arg: MountArg, src: str, where: Location, hard: Status,
                  block: str) -> list[Finding]:
        if not src or folder_refs(dialect).search(src) or src[0] in "$%~/\\" or has_drive(src):
            return []
        evidence = {"argument": f"{arg.flag} {arg.text}", "shell": dialect}
        if src.startswith("."):
            return [self.finding(
                Status.WARN, f"relative bind source `{src}`" + block, location=where, evidence=evidence,
                detail="The docker CLI (23 and later) makes it absolute from the current folder of the CLIENT; "
                       "older clients refuse it, and a CLI running in a container hands the daemon a path that "
                       "exists only in that container (an empty folder is mounted).",
                fixes=same_fix(f"Start the source with the shell's current folder: {QUOTED_FORM[dialect]}"))]
        if "/" in src or "\\" in src:
            return [self.finding(
                hard, f"`{src}` is neither absolute nor `./`-relative: docker takes it as a volume name" + block,
                location=where, evidence=evidence,
                detail=f"docker answers `\"{src}\" includes invalid characters for a local volume name`.",
                fixes=same_fix(f"Write ./{src} or, better, {QUOTED_FORM[dialect]}"))]
        return []
