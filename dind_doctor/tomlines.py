"""Which line of a TOML file holds a key: tomllib gives values, not positions, and a config error must
name its line.

A light scan, enough for config files: table headers (`[a.b]`, `[[a.b]]`, counting array-of-tables
entries), `key = ...` lines inside the current table, and dotted keys (`a.b = ...`). A key written in a
way it does not follow (inside an inline table) is reported at the nearest line it does find: its table's
header, or the line of the enclosing key.
"""
from __future__ import annotations

import re
from typing import Sequence

HEADER = re.compile(r"^\s*(\[\[?)\s*(.+?)\s*\]\]?\s*(?:#.*)?$")
KEY = re.compile(r"""^\s*((?:"[^"]*"|'[^']*'|[A-Za-z0-9_-]+)(?:\s*\.\s*(?:"[^"]*"|'[^']*'|[A-Za-z0-9_-]+))*)\s*=""")
PART = re.compile(r""""([^"]*)"|'([^']*)'|([A-Za-z0-9_-]+)""")


def _parts(dotted: str) -> tuple[str, ...]:
    return tuple(next(g for g in m.groups() if g is not None) for m in PART.finditer(dotted))


def key_line(text: str, keys: Sequence[str | int]) -> int:
    """The 1-based line of `keys` (table names, array indexes and a final key), or of its nearest parent."""
    best, best_depth = 1, -1
    table: tuple[str | int, ...] = ()
    array_counts: dict[tuple[str, ...], int] = {}
    want = tuple(keys)
    for number, line in enumerate(text.splitlines(), 1):
        header = HEADER.match(line)
        if header and not KEY.match(line):
            names = _parts(header.group(2))
            if header.group(1) == "[[":
                index = array_counts.get(names, -1) + 1
                array_counts[names] = index
                table = names + (index,)
            else:
                table = names
            candidate = table
        else:
            key = KEY.match(line)
            if not key:
                continue
            candidate = table + _parts(key.group(1))
        depth = _common(candidate, want)
        # a full match wins; otherwise the deepest prefix of what we look for, first seen
        if depth > best_depth and depth == len(candidate):
            best, best_depth = number, depth
            if depth == len(want):
                break
    return best


def _common(a: tuple[str | int, ...], b: tuple[str | int, ...]) -> int:
    n = 0
    for x, y in zip(a, b):
        if x != y:
            break
        n += 1
    return n
