"""backtick-continuation: PowerShell lines that look continued but are not."""
from __future__ import annotations

from collections import defaultdict

from dind_doctor.check import Check
from dind_doctor.context import Context
from dind_doctor.model import Finding, Location, Status, same_fix
from dind_doctor.evidence_shapes import command_shape
from dind_doctor.project.file_text import FileText, visible
from dind_doctor.project.fixers import FixError, delete_spans, write_with_backup
from dind_doctor.project.ps_continuations import Continuation, continuation_problems
from dind_doctor.project.ps_pipelines import LeadingPipe, leading_pipes, target
from dind_doctor.project.pstokens import Source, TokenBudgetExceeded
from dind_doctor.project.script_tail import stream_tail, tail_start
from dind_doctor.project.scripts import ScriptSource, reencode

WHAT = {
    "trailing-space": "backtick followed by {ws}: the command ends at line {line}",
    "trailing-comment": "backtick followed by a space and a comment: the command ends at line {line}",
    "dangling": "continuation backtick on the last line: the command continues into nothing",
    "bash-backslash": "bash line continuation `\\` in PowerShell: the command ends at line {line}",
    "cmd-caret": "cmd line continuation `^` in PowerShell: the command ends at line {line}",
    "doubled": "doubled backtick at the end of line {line} is a literal backtick: the command ends there",
    "blank-line": "a blank line after the continuation backtick of line {line}: the command ends there",
    "comment-line": "a comment line after the continuation backtick of line {line}: the command ends there",
    "stop-parsing": "a backtick after `--%` is passed as is: the command ends at line {line}",
}
HARMLESS = "backtick followed by {ws} {why}: PowerShell reads on to the next line anyway (style: the backtick " \
           "is not needed there and hides the whitespace)"
MEANING = {
    "trailing-space": "A backtick continues a line only as its very last character (about_Parsing); here it escapes "
                      "the whitespace after it (about_Special_Characters; · space, → tab, other blanks by name).",
    "trailing-comment": "The backtick escapes the space before the comment, so the line does not continue; a "
                        "comment cannot follow a continuation backtick.",
    "bash-backslash": "`\\` continues a line in bash, not in PowerShell, where it is passed as a literal argument.",
    "cmd-caret": "`^` continues a line in cmd, not in PowerShell, where it is passed as a literal argument.",
    "doubled": "The first backtick escapes the second (about_Special_Characters): a literal backtick is passed and "
               "the newline after it ends the command.",
    "blank-line": "A continuation joins ONE newline (about_Parsing): the blank line after it ends the command.",
    "comment-line": "A continuation joins ONE newline (about_Parsing): the comment line after it is the rest of "
                    "the command, and the newline that ends the comment ends the command.",
    "stop-parsing": "After the stop-parsing token `--%` the rest of the line is passed as is (about_Parsing): the "
                    "backtick is one more argument and cannot continue the line.",
}
FIX = {
    "trailing-comment": "Line {line}: move the comment above the command and end the line with the backtick.",
    "bash-backslash": "Line {line}: replace the final ` \\` with ` `` ` (a space, then a backtick as the last character).",
    "cmd-caret": "Line {line}: replace the final ` ^` with ` `` ` (a space, then a backtick as the last character).",
    "doubled": "Line {line}: end the line with ONE backtick.",
    "blank-line": "Delete the blank line after line {line} (or end the command at line {line}).",
    "comment-line": "Move the comment after line {line} above the command.",
    "stop-parsing": "Line {line}: keep the `--%` part on one line (or drop `--%` and continue with a backtick).",
}

# about_Pipelines, "Intrinsic line continuation"; PowerShell's LineContinuance.Tests.ps1 for the edges.
PIPE_SOURCE = ("about_Pipelines: \"PowerShell 7 adds support for continuation of pipelines with the pipeline "
               "character at the beginning of a line\". ")
NO_51 = ("Windows PowerShell 5.1 has no such rule: there the `|` starts an empty pipe element (\"An empty pipe element "
         "is not allowed\", EmptyPipeElement), a parse error, and a parse error stops the WHOLE script: no line of "
         "it runs, not even those before.")
EMPTY_PIPE = {
    "after-blank": "line {line} starts with `|` after a blank line: an empty pipe element, the script does not parse "
                   "(in PowerShell 7 too)",
    "empty": "line {line} starts with `|` with no command to pipe from or into: an empty pipe element, the script "
             "does not parse",
}
EMPTY_PIPE_WHY = ("PowerShell 7 joins a line that starts with `|` to the pipeline above only when code or comment "
                  "lines precede it, never across a blank (or whitespace-only) line, and only when a command follows "
                  "the `|` (PowerShell's own LineContinuance.Tests.ps1, \"Lines starting with a pipe that do not "
                  "parse\"). ")
# The orphan of a broken continuation that starts with `|`: PowerShell 7 pipes into it, 5.1 does not parse.
PIPED_ORPHAN = ("which starts with `|`, receives its output in PowerShell 7 (about_Pipelines); Windows PowerShell "
                "5.1 does not parse the script at all (EmptyPipeElement)")


def _starts_pipe(line: str) -> bool:
    return line.startswith("|") and not line.startswith("||")  # `||` is PowerShell 7's chain operator


def _whitespace_words(ws: str) -> str:
    spaces, tabs = ws.count(" ") + ws.count("\u00a0"), ws.count("\t")
    parts = [f"{n} {word}{'s' if n > 1 else ''}" for n, word in ((spaces, "space"), (tabs, "tab")) if n]
    parts += sorted({f"U+{ord(c):04X}" for c in ws if c not in " \t\u00a0"})  # named: an editor shows nothing
    return " and ".join(parts) or "whitespace"


class BacktickContinuation(Check):
    """Finds PowerShell lines that look continued but are not.

    In PowerShell a backtick continues a command on the next line only when it is the very LAST character
    of the line. `docker run ... ` + a space: the backtick escapes the space, the command ends there and
    PowerShell runs the truncated command, then the next line (`-v ...`) on its own as a new command
    ("The term '-v' is not recognized"). PSScriptAnalyzer calls it PSMisleadingBacktick. Invisible in an
    editor, it is what the write-up warns about ("il n'y a pas d'espace après les backticks").

    The check tokenises every *.ps1/*.psm1 and every powershell/ps1/pwsh code block in the project's
    Markdown (strings, here-strings and comments are told apart, so a backtick inside a string is left
    alone), and also reports a bash `\\` or cmd `^` continuation pasted into PowerShell (a literal argument
    there, and the command ends: only where the next line continues the arguments, so `Should -Be \\` is an
    argument), and a continuation backtick on the last line. From about_Parsing and about_Special_Characters
    too: a continuation joins ONE newline (a blank or comment line after it ends the command); a doubled
    backtick is a literal one; any Unicode blank or zero-width character after a backtick (U+3000, U+200B, a
    form feed, NEL) is escaped like a space; after `--%` a backtick is passed as is. After `|`, `,`, `=`, a
    binary operator or inside `(...)`/`@{...}` PowerShell reads on anyway: a style warning only. A line that
    STARTS with `|` continues the pipeline above in PowerShell 7 only (about_Pipelines); Windows PowerShell 5.1
    does not parse the script (EmptyPipeElement): a warning naming both unless `#Requires -Version 7` says 7,
    a failure where `#Requires` says 5.1; after a blank line or with nothing after it, no PowerShell parses it
    (PowerShell's LineContinuance.Tests.ps1). Each file
    has its own budget of operations (linear in its size): one pathological file is an `error` for that file.

    Fix: delete what follows the backtick so that it ends the line (`dind-doctor check --fix` does it for
    trailing whitespace, with a backup), and replace `\\` or `^` with a backtick. A comment cannot follow a
    continuation backtick: move it above the command.
    """

    id = "backtick-continuation"
    title = "PowerShell line continuations"
    project_check = True

    def run(self, ctx: Context) -> list[Finding]:
        found = ctx.project_model.scripts.of("powershell")
        findings = [self.finding(Status.WARN, f"cannot be checked: {c.problem}",
                                 location=Location(c.rel),
                                 detail="A .ps1 that is not text is not a script PowerShell can run; if it is a "
                                        "script, re-save it as UTF-8.")
                    for c in found.unreadable]
        # a script larger than the read cap: the rest is streamed for its continuations (script_tail)
        tails = {s.file.rel: s for s in found.sources if s.file.truncated and not s.markdown}
        tail_from = {rel: tail_start(s.file)[1] for rel, s in tails.items()}
        for source in tails.values():
            findings += self._tail_findings(ctx, source)
        fixable: dict = defaultdict(list)  # FileText -> spans to delete
        for source in found.sources:
            try:  # each file its own budget: one pathological file is an error, the others are still read
                problems = continuation_problems(source.text, source.first_line, source.tokens)
            except (TokenBudgetExceeded, RecursionError) as exc:
                findings.append(self.finding(Status.ERROR, "not checked: the file exceeded its reading budget",
                                             location=Location(source.rel, source.first_line),
                                             detail=f"{type(exc).__name__}: {exc}", evidence={"size": len(source.text)}))
                continue
            for problem in problems:
                if problem.line >= tail_from.get(source.rel, problem.line + 1):
                    continue  # the head's last line is cut: read again with the streamed tail
                if ctx.fix and problem.fix_span:
                    start, end = problem.fix_span
                    fixable[source.file].append((start + source.offset, end + source.offset))
                    continue
                findings.append(self._problem_finding(source, problem))
            # a leading `|` after a broken continuation: that finding covers it, and its fix makes the `|` parse
            findings += self._pipe_findings(source, {problem.line for problem in problems})
        for content, spans in fixable.items():
            findings.append(self._apply(ctx, content, spans))
        if not findings:
            if not found.sources:
                return [self.finding(Status.SKIP, "no PowerShell script or code block in the project")]
            n_files = len({s.rel for s in found.sources if not s.markdown})
            n_blocks = sum(s.markdown for s in found.sources)
            return [self.finding(Status.OK, f"{n_files} PowerShell script(s) and {n_blocks} Markdown block(s): "
                                            "every continuation backtick ends its line")]
        return findings

    def _tail_findings(self, ctx: Context, source: ScriptSource) -> list[Finding]:
        """The continuation problems past the first MiB of a large script, streamed (never held whole)."""
        tail, windows = stream_tail(ctx.project_model.files, source.file)
        out = []
        for window, lines, at_end in windows:
            try:
                problems = continuation_problems(window.text, window.first_line)
            except (TokenBudgetExceeded, RecursionError) as exc:
                out.append(self.finding(Status.ERROR, "not checked: a part of the file exceeded its reading budget",
                                        location=Location(source.rel, window.first_line),
                                        detail=f"{type(exc).__name__}: {exc}"))
                continue
            # a window ends where the file does not: a continuation on its last line is not dangling
            out += [self._problem_finding(window, p) for p in problems
                    if p.line in lines and (p.kind != "dangling" or at_end)]
        if tail.stopped_at is not None:
            out.append(self.finding(Status.WARN, f"NOT read whole: streamed up to {tail.stopped_at // 1048576} MiB, "
                                                 "a continuation backtick past it is not checked",
                                    location=Location(source.rel), evidence={"size": source.file.size}))
        return out

    def _problem_finding(self, source: ScriptSource, p: Continuation) -> Finding:
        src = Source(source.text, source.first_line)
        line_text = src.line_text(p.line)
        offset = p.offset - src.starts[p.line - source.first_line]
        # The line and the commands are quoted by their shape: `-e DB_PASSWORD=***(9)`, never a value.
        trailing = p.kind.startswith("trailing")
        shown = command_shape(line_text[:offset + 1]) + (visible(line_text[offset + 1:]) if trailing
                                                         else command_shape(line_text[offset + 1:]))
        ws = line_text[offset + 1:].split("#")[0] if trailing else ""
        command, orphan = command_shape(p.command), command_shape(p.orphan) if p.orphan else p.orphan
        summary = WHAT[p.kind].format(ws=_whitespace_words(ws), line=p.line)
        runs = f"PowerShell runs `{command}` as a complete command"
        if p.kind == "dangling":
            detail = (f"Line {p.line} as written: {shown}\n{runs}; a backtick at the end of the last line "
                      "continues into nothing (a parse error in some hosts, a lost line when text is appended).")
            fix = "Remove the final backtick, or add the line it was meant to continue into."
        else:
            if _starts_pipe(orphan):  # PowerShell 7 reads it as the rest of the pipeline, 5.1 not at all
                then = f"and the next line, `{orphan}`, " + PIPED_ORPHAN
            else:
                then = (f"then runs line {p.line + 1} on its own as a new command: `{orphan}`"
                        + (" (\"The term '" + orphan.split()[0] + "' is not recognized...\")"
                           if orphan.startswith("-") else "")) if orphan else "and nothing follows"
            detail = f"Line {p.line} as written: {shown}\n{MEANING[p.kind]} {runs}, {then}."
            fix = (f"Delete the {_whitespace_words(ws)} after the backtick at line {p.line}, column {p.column}, so "
                   "that it is the last character (or run `dind-doctor check backtick-continuation --fix`)."
                   if p.kind == "trailing-space" else FIX[p.kind].format(line=p.line))
        if p.harmless:
            summary = HARMLESS.format(ws=_whitespace_words(ws), why=p.harmless)
            detail = (f"Line {p.line} as written: {shown}\nThe backtick escapes the whitespace after it, but "
                      f"{p.harmless} PowerShell does not end the command at the newline (about_Parsing), so the "
                      "command runs whole.")
        status = Status.WARN if source.markdown or p.kind == "dangling" or p.harmless else Status.FAIL
        where = " (a powershell block in Markdown: copied as is, it fails the same way)" if source.markdown else ""
        return self.finding(status, summary + where, detail=detail,
                            location=Location(source.rel, p.line, p.column), fixes=same_fix(fix),
                            evidence={"line": shown, "runs": command,
                                      **({("piped into, PowerShell 7" if _starts_pipe(orphan) else "then runs alone"):
                                          orphan} if orphan else {})})

    def _pipe_findings(self, source: ScriptSource, reported: set[int]) -> list[Finding]:
        """Lines that start with `|`: an empty pipe element everywhere (one finding each), or PowerShell 7+'s
        continuation, which 5.1 does not parse (one finding per file: one parse error stops the whole
        script), left alone where the script requires PowerShell 7."""
        pipes = [p for p in leading_pipes(source.text, source.first_line, source.tokens)
                 if p.previous_line not in reported]
        if not pipes:
            return []
        hard = Status.WARN if source.markdown else Status.FAIL
        where = " (a powershell block in Markdown)" if source.markdown else ""
        src = Source(source.text, source.first_line)
        out = [self._empty_pipe(source.rel, src, p, hard, where) for p in pipes if p.kind != "continues"]
        continues = [p for p in pipes if p.kind == "continues"]
        declared = target(source.tokens, src)
        if not continues or declared.leading_pipe:
            return out
        first, n = continues[0], len(continues)
        more = f" ({n} lines start with `|`)" if n > 1 else ""
        said = (f"The script declares `{declared.text}` (line {declared.line}): it says it runs there."
                if declared.leading_pipe is False else "Nothing in the script says which PowerShell runs it "
                                                       "(no `#Requires -Version 7`).")
        fix = (f"End line {first.previous_line} with ` |` and start line {first.line} without it "
               f"(`{command_shape(first.previous)} |`): every PowerShell reads that"
               + (", and so for each such line." if n > 1 else ".")
               + ("" if source.markdown or declared.leading_pipe is False else
                  " Or, for PowerShell 7 only, say so: `#Requires -Version 7` at the top of the script."))
        out.append(self.finding(
            hard if declared.leading_pipe is False else Status.WARN,
            f"line {first.line} starts with `|`: one pipeline with line {first.previous_line} in PowerShell 7+, a "
            f"parse error in Windows PowerShell 5.1 that stops the whole script{more}" + where,
            location=Location(source.rel, first.line, first.column), fixes=same_fix(fix),
            detail=PIPE_SOURCE + NO_51 + " " + said,
            evidence={"line": command_shape(src.line_text(first.line).strip()),
                      "continues": command_shape(first.previous), "lines": n}))
        return out

    def _empty_pipe(self, rel: str, src: Source, p: LeadingPipe, status: Status, where: str) -> Finding:
        fix = (f"Delete the blank line(s) before line {p.line}; better, end line {p.previous_line} with ` |` and "
               f"start line {p.line} without it (every PowerShell reads that)." if p.kind == "after-blank" else
               f"Remove the `|` at line {p.line}, or write the command it pipes from or into next to it.")
        return self.finding(status, EMPTY_PIPE[p.kind].format(line=p.line) + where,
                            location=Location(rel, p.line, p.column), fixes=same_fix(fix),
                            detail=EMPTY_PIPE_WHY + NO_51, evidence={"line": command_shape(src.line_text(p.line).strip())})

    def _apply(self, ctx: Context, content: FileText, spans: list[tuple[int, int]]) -> Finding:
        new = reencode(content, delete_spans(content.text, spans))
        where = Location(content.rel)
        if new is None:
            return self.finding(Status.WARN, f"not fixed: {content.rel} is not plain UTF-8/UTF-16 text",
                                location=where, fixes=same_fix("Delete the whitespace after each backtick by hand."))
        try:
            backup = write_with_backup(ctx, content.path, new)
        except FixError as exc:
            return self.finding(Status.FAIL, f"not fixed: {exc}", location=where)
        return self.finding(Status.OK, f"fixed: removed the whitespace after {len(spans)} continuation "
                                       f"backtick(s) in {content.rel}", location=where,
                            evidence={"backup": backup, "lines changed": len(spans)})
