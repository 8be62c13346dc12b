"""Which files of a build context land in an image: .dockerignore matching, the files a COPY/ADD takes,
and the project's Dockerfiles parsed once each (dockerfile_model) for every check and `levels`.

.dockerignore follows moby's patternmatcher: paths relative to the context root, `*` and `?` stop at `/`,
`**` spans folders, a pattern that matches a folder excludes everything below it, `!` re-includes, the
last matching line wins. `.env` matches only the context's top-level `.env`; `**/.env` matches at any
depth (the classic trap). BuildKit also reads `<Dockerfile>.dockerignore` next to the Dockerfile first.
"""
from __future__ import annotations

import re
from ..records import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Callable

from .dockerfile_model import Dockerfile
from .dockerfile_reader import parse_dockerfile
from .files import ProjectFiles


def _pattern_regex(pattern: str) -> re.Pattern[str]:
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
    rules: list[tuple[bool, re.Pattern[str], str]]  # (exclude?, regex, pattern as written)

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


def source_folder(dockerfile: Dockerfile, context: Path, target: str) -> Path | None:
    """The context folder whose content the final image holds at `target`, when the Dockerfile says so
    (`WORKDIR /home/app` + `COPY app/ .` in the seed: app/ is the source of /home/app)."""
    root = context.resolve()
    for src in dockerfile.copies_to(target):
        candidate = (context / src.replace("\\", "/")).resolve()
        if candidate.is_dir() and (candidate == root or root in candidate.parents):
            return candidate
    return None


@dataclass
class Dockerfiles:
    """The project's Dockerfiles, each read (through ProjectFiles: regular files inside the project, size
    caps, decoding) and parsed at most once per run."""

    files: ProjectFiles
    _parsed: dict[Path, Dockerfile | None] = field(default_factory=dict)

    def get(self, path: Path) -> Dockerfile | None:
        """The parsed Dockerfile at `path`; None when it is not a readable text file of the project."""
        if path not in self._parsed:
            content = self.files.read(path) if path.is_file() else None
            self._parsed[path] = parse_dockerfile(content.text) if content is not None and content.usable else None
        return self._parsed[path]

    def source_folder(self, dockerfile: Path, context: Path, target: str) -> Path | None:
        parsed = self.get(dockerfile)
        return source_folder(parsed, context, target) if parsed is not None else None
