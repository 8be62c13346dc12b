"""The .env lines that compose and python-dotenv read alike, read without python-dotenv.

A file whose every line is empty, a comment, or a plain KEY=value (nothing either reader could unquote,
interpolate, unescape, cut at a `#` or trim), with no CR and no key twice, means the same to both; its
pairs are read here with a split. Importing python-dotenv costs `logging` and more at every run that
meets a `.env` (issue 15): it is kept for the files with another line.
"""
from __future__ import annotations

import re

PLAIN_LINE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*=[^\s'\"`$\\#]*")


def plain_pairs(text: str) -> list[tuple[str, str, int]] | None:
    """(key, value, line) of each KEY=value when every line of `text` is plain; None when one is not
    (then python-dotenv reads the file). `line` is counted as python-dotenv's binding starts: empty lines
    before a key belong to its binding, so it is the line after the previous non-empty line."""
    if "\r" in text:
        return None
    pairs: list[tuple[str, str, int]] = []
    keys: set[str] = set()
    start = 1
    for n, line in enumerate(text.split("\n"), 1):
        if not line:
            continue
        if not line.startswith("#"):
            if not PLAIN_LINE.fullmatch(line):
                return None
            key, _, value = line.partition("=")
            if key in keys:
                return None
            keys.add(key)
            pairs.append((key, value, start))
        start = n + 1
    return pairs


def read_alike(text: str) -> bool:
    """Does compose read every value of this env_file exactly as python-dotenv does? Yes when its lines
    are all plain (plain_pairs): the static reading settles the live probe."""
    return plain_pairs(text) is not None
