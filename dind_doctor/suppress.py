"""Inline suppressions: `dind-doctor: ignore[check-id] reason` in a comment of the file a finding is about.

The comment sits on the finding's line or on the line before (for a finding on line 1, which may be a
shebang, on line 2 as well; a finding about a whole file counts as line 1). Every comment syntax the checked files use
is recognised: `#` (shell, PowerShell, YAML, Dockerfile, .env, Python), PowerShell's `<# ... #>`, cmd's
`REM` / `@REM` and `::`. A reason is required (a comment without one suppresses nothing and is reported),
and a suppression that matches no finding of a check that ran is reported too, so that stale ones do not
pile up. Only the files the checks read are searched, each once, line by line: linear in their size.
"""
from __future__ import annotations

import re
from dataclasses import replace
from typing import Iterable, Sequence

from .model import Finding, Location, Status, Suppression, same_fix
from .records import dataclass, field

ID = "inline-suppression"
TITLE = "Inline suppression comments"
EXPLANATION = """Reports `dind-doctor: ignore[...]` comments that do nothing.

A finding is turned off by a comment on its line or the line before: `# dind-doctor: ignore[CHECK-ID] why`
(shell, PowerShell, YAML, Dockerfile, .env, Python), `<# dind-doctor: ignore[CHECK-ID] why #>`
(PowerShell), `REM dind-doctor: ignore[CHECK-ID] why` or `:: dind-doctor: ignore[CHECK-ID] why` (cmd).
Several ids are separated by commas. The reason is required: it is kept in the JSON, SARIF and JUnit
outputs next to the suppressed finding.

This warns about a comment with no reason (it suppresses nothing), one naming an unknown check id, and
one that matches no finding of a check that ran (stale: the problem was fixed, or the line moved).

Fix: add the reason, correct the id, or delete the comment."""

COMMENT = re.compile(r"(?:^|[\s;&])(?:<#|#|@?rem\b|::)\s*dind-doctor:\s*ignore\[(?P<ids>[^\]]*)\]"
                     r"(?P<reason>.*?)\s*(?:#>\s*)?$", re.IGNORECASE)
PROBLEMS = (Status.WARN, Status.FAIL, Status.ERROR)


@dataclass
class Comment:
    rel: str
    line: int
    ids: tuple[str, ...]
    reason: str
    used: set[str] = field(default_factory=set)

    @property
    def source(self) -> str:
        return f"{self.rel}:{self.line}"


def comments_in(rel: str, text: str) -> list[Comment]:
    if "dind-doctor:" not in text.lower():  # most files: one scan, no per-line work
        return []
    found = []
    for number, line in enumerate(text.split("\n"), 1):
        m = COMMENT.search(line.rstrip("\r"))
        if m:
            ids = tuple(i.strip() for i in m.group("ids").split(",") if i.strip())
            found.append(Comment(rel, number, ids, m.group("reason").strip()))
    return found


def _report(comment: Comment, summary: str) -> Finding:
    return Finding(ID, Status.WARN, summary, location=Location(comment.rel, comment.line),
                   fixes=same_fix(f"Edit or delete the comment at {comment.source}."))


def apply_inline(findings: Sequence[Finding], texts: Iterable[tuple[str, str]], ran: set[str],
                 known: set[str]) -> list[Finding]:
    """`findings` with the inline-suppressed ones marked, plus a warning for each suppression that does
    nothing. `texts`: (project-relative path, text) of the files the checks read; `ran`: the check ids run
    (a suppression for a check that did not run is not judged)."""
    by_line: dict[tuple[str, int], list[Comment]] = {}
    comments: list[Comment] = []
    for rel, text in texts:
        for c in comments_in(rel, text):
            comments.append(c)
            by_line.setdefault((rel, c.line), []).append(c)
    if not comments:
        return list(findings)
    out = []
    for f in findings:
        if f.active and f.status in PROBLEMS and f.location is not None:
            line = f.location.line or 1
            # line 1 may be a shebang, which must stay first: a finding there is matched from line 2 too
            lines = (1, 2) if line == 1 else (line, line - 1)
            match = next((c for n in lines for c in by_line.get((f.location.path, n), ())
                          if f.check in c.ids and c.reason), None)
            if match is not None:
                match.used.add(f.check)
                f = replace(f, suppression=Suppression(match.reason, match.source, "inline"))
        out.append(f)
    for c in comments:
        if not c.reason:
            out.append(_report(c, f"`ignore[{', '.join(c.ids)}]` has no reason: it suppresses nothing"))
            continue
        for cid in c.ids:
            if cid not in known:
                out.append(_report(c, f"`ignore[{cid}]` names no known check"))
            elif cid in ran and cid not in c.used:
                out.append(_report(c, f"`ignore[{cid}]` matches no {cid} finding on this line or the next: "
                                      "stale, delete it"))
    return out
