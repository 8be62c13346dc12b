"""The level-by-level matrix: rows are what should travel, columns are the levels, each cell says whether
it arrived (seen), did not (missing), arrived out of date (stale) or arrived without content (empty).

Pure: built from observations by walk.py, rendered here for people (a table) and for CI (JSON).
"""
from __future__ import annotations

from ..records import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..masking import Masker

LEVELS = ("host", "outer", "module")
LEVEL_TITLES = {"host": "host", "outer": "outer container", "module": "module container"}
SEEN, MISSING, STALE, EMPTY, NOT_APPLICABLE, UNKNOWN = "seen", "missing", "stale", "empty", "n/a", "unknown"
LOST = (MISSING, STALE, EMPTY)


@dataclass(frozen=True)
class Cell:
    state: str
    note: str = ""  # why, in the user's words (a path, a volume, the daemon's error)


@dataclass
class Row:
    id: str  # stable: "sentinel", "env-file", "code", "volume:<key>", "var:<KEY>"
    label: str
    cells: dict[str, Cell] = field(default_factory=dict)

    def first_loss(self) -> tuple[str, Cell] | None:
        """The first level whose cell is missing, stale or empty, and that cell (its note says why)."""
        for level in LEVELS:
            cell = self.cells.get(level)
            if cell is not None and cell.state in LOST:
                return level, cell
        return None


def masked(rows: list[Row], evidence: dict, mask: "Masker") -> tuple[list[Row], dict]:
    """The matrix through the masking boundary: labels, notes (the daemon's errors, paths) and evidence."""
    return ([Row(r.id, mask(r.label), {lv: Cell(c.state, mask(c.note)) for lv, c in r.cells.items()}) for r in rows],
            mask.data(evidence))


def unobserved(rows: list[Row], level: str = "module") -> str | None:
    """Why `level` could not be observed at all (every cell of it unknown), or None when some was seen:
    a walk that never reached the module is not a pass."""
    cells = [row.cells[level] for row in rows if level in row.cells and row.cells[level].state != NOT_APPLICABLE]
    if cells and all(c.state == UNKNOWN for c in cells):
        return next((c.note for c in cells if c.note), "no observation came back")
    return None


def to_json(rows: list[Row], evidence: dict) -> dict:
    out = []
    for row in rows:
        loss = row.first_loss()
        out.append({"id": row.id, "label": row.label,
                    "cells": {lv: {"state": c.state, "note": c.note} for lv, c in row.cells.items()},
                    "lost_at": loss[0] if loss else None, "why": loss[1].note if loss else ""})
    return {"schema": 1, "levels": list(LEVELS), "rows": out, "evidence": evidence,
            "module_unobserved": unobserved(rows)}


def render(rows: list[Row], evidence: dict, unicode: bool = True) -> str:
    from tabulate import tabulate

    marks = {SEEN: "✔ seen", MISSING: "✖ missing", STALE: "✖ stale", EMPTY: "⚠ empty",
             NOT_APPLICABLE: "· n/a", UNKNOWN: "? unknown"} if unicode else \
        {SEEN: "seen", MISSING: "MISSING", STALE: "STALE", EMPTY: "EMPTY", NOT_APPLICABLE: "n/a", UNKNOWN: "?"}
    table = []
    for row in rows:
        loss = row.first_loss()
        cells = [marks[row.cells[lv].state] if lv in row.cells else "" for lv in LEVELS]
        table.append([row.label, *cells, f"{LEVEL_TITLES[loss[0]]}: {loss[1].note}" if loss else ""])
    text = tabulate(table, headers=["what should travel", *(LEVEL_TITLES[lv] for lv in LEVELS),
                                    "first lost at, and why"], tablefmt="simple", maxcolwidths=[28, 11, 11, 11, 60])
    facts = "\n".join(f"  {k}: {v}" for k, v in evidence.items())
    return f"{text}\n\n{facts}" if facts else text
