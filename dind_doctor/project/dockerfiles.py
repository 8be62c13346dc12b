"""Dockerfile COPY/ADD sources and .dockerignore matching: which files of a build context land in an
image.

.dockerignore follows moby's patternmatcher: paths relative to the context root, `*` and `?` stop at `/`,
`**` spans folders, a pattern that matches a folder excludes everything below it, `!` re-includes, the
last matching line wins. `.env` matches only the context's top-level `.env`; `**/.env` matches at any
depth (the classic trap). BuildKit also reads `<Dockerfile>.dockerignore` next to the Dockerfile first.
"""
from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Callable


@dataclass(frozen=True)
class CopyInstruction:
    line: int
    instruction: str  # COPY or ADD
    sources: tuple[str, ...]
    text: str  # the instruction as written, continuation lines joined


def copy_instructions(text: str) -> list[CopyInstruction]:
    """COPY/ADD instructions from the build context (not `--from=`), with their first line."""
    found: list[CopyInstruction] = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        start = i
        logical = lines[i].rstrip()
        while logical.endswith("\\") and i + 1 < len(lines):
            i += 1
            nxt = lines[i].strip()
            if nxt.startswith("#"):
                continue
            logical = logical[:-1] + " " + nxt
        i += 1
        stripped = logical.strip()
        m = re.match(r"(?i)^(COPY|ADD)\s+(.*)$", stripped)
        if not m:
            continue
        rest = m.group(2).strip()
        if rest.startswith("["):
            try:
                import json

                words = [str(w) for w in json.loads(rest)]
            except ValueError:
                continue
            flags = []
        else:
            try:
                words = shlex.split(rest, posix=True)
            except ValueError:
                words = rest.split()
            flags = [w for w in words if w.startswith("--")]
            words = [w for w in words if not w.startswith("--")]
        if any(f.startswith("--from") for f in flags) or len(words) < 2 or "<<" in rest:
            continue
        found.append(CopyInstruction(start + 1, m.group(1).upper(), tuple(words[:-1]), stripped))
    return found


def _pattern_regex(pattern: str) -> re.Pattern:
    out = []
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
            continue
        if pattern.startswith("**", i):
            out.append(".*")
            i += 2
            continue
        if ch == "*":
            out.append("[^/]*")
        elif ch == "?":
            out.append("[^/]")
        elif ch == "[":
            end = pattern.find("]", i)
            if end > i:
                out.append("[" + pattern[i + 1:end].replace("\\", "\\\\") + "]")
                i = end + 1
                continue
            out.append(re.escape(ch))
        elif ch == "\\" and i + 1 < len(pattern):
            out.append(re.escape(pattern[i + 1]))
            i += 2
            continue
        else:
            out.append(re.escape(ch))
        i += 1
    return re.compile("^" + "".join(out) + "$")


@dataclass
class DockerIgnore:
    path: Path | None
    rules: list[tuple[bool, re.Pattern, str]]  # (exclude?, regex, pattern as written)

    @classmethod
    def parse(cls, text: str, path: Path | None = None) -> "DockerIgnore":
        rules = []
        for raw in text.lstrip("\ufeff").splitlines():
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            negate = line.startswith("!")
            pattern = line[1:].strip() if negate else line
            pattern = str(PurePosixPath(pattern.replace("\\", "/"))).lstrip("/")
            if pattern in ("", "."):
                continue
            rules.append((not negate, _pattern_regex(pattern), line))
        return cls(path, rules)

    def excluded(self, rel: str) -> bool:
        """Is this context-relative path kept out of the build context?"""
        parts = PurePosixPath(rel).parts
        candidates = ["/".join(parts[:n]) for n in range(1, len(parts) + 1)]
        result = False
        for exclude, regex, _ in self.rules:
            if any(regex.match(c) for c in candidates):
                result = exclude
        return result


def load_dockerignore(context: Path, dockerfile: Path, read: Callable[[Path], str | None]) -> DockerIgnore:
    """The first of `<Dockerfile>.dockerignore` and `<context>/.dockerignore` that exists.
    `read(path) -> text, or None when there is no such file` (ProjectFiles.read, so each is read once)."""
    for candidate in (dockerfile.parent / (dockerfile.name + ".dockerignore"), context / ".dockerignore"):
        text = read(candidate)
        if text is not None:
            return DockerIgnore.parse(text, candidate)
    return DockerIgnore(None, [])


def copied_files(context: Path, sources: tuple[str, ...], candidates: list[Path]) -> list[Path]:
    """Which of `candidates` (files in the context) a COPY of `sources` takes."""
    taken = []
    for source in sources:
        if "://" in source:
            continue
        src = source.replace("\\", "/").lstrip("/")
        norm = str(PurePosixPath(src)) if src else "."
        regex = _pattern_regex(norm) if any(c in norm for c in "*?[") else None
        for path in candidates:
            try:
                rel = path.relative_to(context).as_posix()
            except ValueError:
                continue
            parts = PurePosixPath(rel).parts
            prefixes = ["/".join(parts[:n]) for n in range(1, len(parts) + 1)]
            if norm == "." or (regex and any(regex.match(p) for p in prefixes)) or \
                    (not regex and norm in prefixes):
                taken.append(path)
    return sorted(set(taken))
