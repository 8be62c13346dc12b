"""Path globs with `**`, for config excludes: matched against project-relative POSIX paths.

`*` and `?` stay inside one path segment, `**` spans any number of segments (zero included); a pattern
without a `/` matches the name at any depth and a pattern ending in `/` everything under that folder, as in
.gitignore. Compiled once into one regular expression per pattern set: matching is linear in the path.
"""
from __future__ import annotations

import re
from typing import Callable, Iterable


def glob_regex(pattern: str) -> str:
    pattern = pattern.replace("\\", "/").strip()
    if pattern.startswith("./"):
        pattern = pattern[2:]
    if pattern.endswith("/"):
        pattern += "**"
    if "/" not in pattern.rstrip("/"):
        pattern = "**/" + pattern
    pattern = pattern.lstrip("/")
    out, i = [], 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out.append("(?:[^/]*/)*")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif pattern[i] == "*":
            out.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            out.append("[^/]")
            i += 1
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    return "".join(out)


def glob_matcher(patterns: Iterable[str]) -> Callable[[str], bool]:
    alternatives = [f"(?:{glob_regex(p)})" for p in patterns]
    whole = re.compile(f"(?:{'|'.join(alternatives)})\\Z" if alternatives else "(?!)")

    def match(path: str) -> bool:
        return whole.match(path.replace("\\", "/").lstrip("/")) is not None

    return match
