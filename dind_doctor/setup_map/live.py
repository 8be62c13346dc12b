"""`map --live`: the static map with what `dind-doctor levels` observed merged in, cell by cell (seen,
missing, stale, empty per level), so the picture shows the truth, not the intent. The walk is levels'
own (levels/walk.py); this only places its rows on the map's boxes."""
from __future__ import annotations

from typing import TYPE_CHECKING

from .model import ARRIVES, LOST, UNKNOWN, Item, Node

if TYPE_CHECKING:
    from ..levels.matrix import Row

OBSERVED_STATE = {"seen": ARRIVES, "missing": LOST, "stale": LOST, "empty": LOST}


def _target(root: Node, level: str, script_rel: str, service: str) -> Node:
    """The box of `level`: the outer container the run script starts, the module service; the host box
    when the static map has no such box (said in the item's note)."""
    if level == "outer":
        found = [n for n in root.walk() if n.kind == "outer" and any(w.startswith(script_rel + ":") for w in n.places)]
    elif level == "module":
        found = [n for n in root.walk() if n.kind == "module" and n.title.startswith(f"service {service} ")]
    else:
        found = [root]
    return found[0] if found else root


def merge_levels(root: Node, rows: "list[Row]", script_rel: str, service: str) -> Node:
    """Adds one `observed` item per row and level to the matching box (n/a cells are left out)."""
    for row in rows:
        for level, cell in row.cells.items():
            if cell.state == "n/a":
                continue
            box = _target(root, level, script_rel, service)
            where = "" if box.kind == level or (level == "host" and box is root) else \
                f"observed at the {level} level, which the files' map does not draw; "
            box.items.append(Item("observed", f"{row.label}: {cell.state}", OBSERVED_STATE.get(cell.state, UNKNOWN),
                                  where + (cell.note or "")))
    return root
