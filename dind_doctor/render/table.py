"""The table for people: status, check, summary, and the fix for the user's shell under it.

Colour only on a terminal; ASCII status marks where the console cannot encode the Unicode ones (a cp1252
Windows console must never crash the tool).
"""
from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING, Sequence

from ..model import Finding, Status

if TYPE_CHECKING:
    from .report import Report

GLYPHS = {Status.OK: "✔", Status.WARN: "⚠", Status.FAIL: "✖", Status.SKIP: "–", Status.ERROR: "‼"}
ASCII = {Status.OK: "+", Status.WARN: "!", Status.FAIL: "x", Status.SKIP: "-", Status.ERROR: "E"}
COLOURS = {Status.OK: "green", Status.WARN: "yellow", Status.FAIL: "red", Status.SKIP: "bright_black",
           Status.ERROR: "magenta"}


def can_encode(text: str, encoding: str | None) -> bool:
    try:
        text.encode(encoding or "ascii")
        return True
    except (UnicodeEncodeError, LookupError):
        return False


def _status_cell(status: Status, unicode: bool, colour: bool) -> str:
    mark = (GLYPHS if unicode else ASCII)[status]
    cell = f"{mark} {status.value}"
    if colour:
        import click

        cell = click.style(cell, fg=COLOURS[status], bold=status in (Status.FAIL, Status.ERROR))
    return cell


def _wrap(text: str, width: int, indent: str = "") -> list[str]:
    lines: list[str] = []
    for raw in text.splitlines() or [""]:
        lines.extend(textwrap.wrap(raw, width, initial_indent=indent, subsequent_indent=indent,
                                   break_long_words=False, break_on_hyphens=False) or [indent])
    return lines


def _finding_lines(f: Finding, shell: str, verbose: bool, width: int) -> tuple[list[str], list[str]]:
    """(summary lines, wrapped to the column; extra lines: fixes and evidence, never wrapped so that
    a command can be copied whole)."""
    head = f"{f.location}: {f.summary}" if f.location else f.summary
    lines = _wrap(head, width)
    if verbose and f.detail:
        lines += _wrap(f.detail, width, "  ")
    extra: list[str] = []
    if f.status not in (Status.OK, Status.SKIP):
        for fix in f.fixes_for(shell):
            fix_lines = fix.text.splitlines() or [""]
            extra.append(f"  fix ({shell if fix.shell != 'any' else 'edit'}): {fix_lines[0]}")
            extra += [f"      {line}" for line in fix_lines[1:]]
    if verbose and f.evidence:
        extra += [f"  - {k}: {v}" for k, v in f.evidence.items()]
    return lines, extra


def render(findings: Sequence[Finding], *, shell: str, level: str, unicode: bool, colour: bool,
           verbose: bool = False, width: int = 90, notes: Sequence[str] = ()) -> str:
    """Laid out by hand rather than with tabulate: fix commands run past the summary column, and a
    table would widen every row to the longest command. Suppressed findings are listed, with their
    reason, only with --verbose; the tally counts them apart."""
    suppressed = [f for f in findings if not f.active]
    findings = [f for f in findings if f.active] + (suppressed if verbose else [])
    status_w = max([len("status")] + [len(f.status.value) + 2 for f in findings])
    check_w = max([len("check")] + [len(f.check) for f in findings])
    pad = " " * (status_w + check_w + 4)
    out = [f"{'status'.ljust(status_w)}  {'check'.ljust(check_w)}  summary",
           f"{'-' * status_w}  {'-' * check_w}  {'-' * 7}"]
    for f in findings:
        lines, extra = _finding_lines(f, shell, verbose, width)
        if f.suppression is not None:
            extra.insert(0, f"  suppressed ({f.suppression.source}): {f.suppression.reason}")
        cell = _status_cell(f.status, unicode, colour)
        visible = len(f.status.value) + 2
        out.append(f"{cell}{' ' * (status_w - visible)}  {f.check.ljust(check_w)}  {lines[0]}")
        out += [pad + line for line in lines[1:] + extra]
    counts = {s: sum(1 for f in findings if f.status is s and f.active) for s in Status}
    parts = [f"{n} {s.value}" for s, n in counts.items() if n]
    if suppressed:
        parts.append(f"{len(suppressed)} suppressed" + ("" if verbose else " (--verbose lists them)"))
    tally = ", ".join(parts + list(notes))
    sep = " · " if unicode else " | "
    return "\n".join(out) + f"\n\nnesting level: {level}{sep}fixes for: {shell}{sep}{tally or 'no finding'}"


def render_report(report: "Report", *, unicode: bool, colour: bool, verbose: bool) -> str:
    notes = [f"{report.baseline_known} known to the baseline {report.baseline_file}"] \
        if report.baseline_file else []
    if report.static:
        notes.append("static mode (no engine asked)")
    return render(report.findings, shell=report.shell, level=report.level, unicode=unicode, colour=colour,
                  verbose=verbose, notes=notes)
