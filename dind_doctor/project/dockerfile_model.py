"""One reading of a Dockerfile, as BuildKit reads it: an instruction list that every check and `levels`
share. This module holds what the reading gives (Instruction, Stage, Dockerfile); dockerfile_reader builds
it (parse_dockerfile).

Each instruction knows its stage and the WORKDIR in force; COPY/ADD know their build-context sources and
their destination; a Dockerfile knows the chain of stages its final image builds on.
"""
from __future__ import annotations

import posixpath
import re
from ..records import dataclass, field

from .host_paths import has_drive

HEREDOC_WORD = re.compile(r"^(\d*)<<(-?)([\"']?)([A-Za-z0-9_.-]+)\3$")


@dataclass(frozen=True)
class Heredoc:
    name: str
    body: str  # the lines between the marker and the terminator, each ending with "\n"
    strip_tabs: bool = False  # `<<-EOF`


@dataclass(frozen=True)
class Instruction:
    line: int  # 1-based, of the keyword
    end_line: int  # last line, heredoc bodies included
    keyword: str  # upper case
    flags: tuple[tuple[str, str | None], ...]  # (`--name` without dashes, value or None for `--link`)
    args: tuple[str, ...]  # JSON form decoded, or the shell form split into words (quotes removed)
    arguments: str  # what follows the flags, as written (continuations joined)
    json_form: bool
    stage: int  # index of its FROM (-1: an ARG before the first FROM)
    workdir: str  # the WORKDIR it runs in (for WORKDIR: the one it sets)
    text: str  # the instruction as written, continuations joined, without heredoc bodies
    heredocs: tuple[Heredoc, ...] = ()

    def flag(self, name: str) -> str | None:
        """The value of `--name` (the last one given); "" for a flag given without a value."""
        found = [value for key, value in self.flags if key == name]
        return None if not found else (found[-1] if found[-1] is not None else "")

    @property
    def copies_from_context(self) -> bool:
        """COPY/ADD that reads the build context (not `--from=` another stage or image)."""
        return self.keyword in ("COPY", "ADD") and self.flag("from") is None

    @property
    def copy_sources(self) -> tuple[str, ...]:
        """Build-context paths this COPY/ADD reads: not `--from=`, not a heredoc (it creates the file),
        not a URL (ADD fetches it)."""
        if not self.copies_from_context or len(self.args) < 2:
            return ()
        heredocs = set() if self.json_form else {w for w in self.args[:-1] if HEREDOC_WORD.match(w)}
        return tuple(s for s in self.args[:-1] if s not in heredocs and not _is_url(s))

    @property
    def destination(self) -> str | None:
        """COPY/ADD destination resolved against the WORKDIR in force (as written when no WORKDIR applies)."""
        if self.keyword not in ("COPY", "ADD") or len(self.args) < 2:
            return None
        return resolve(self.workdir, self.args[-1])


@dataclass(frozen=True)
class Stage:
    index: int
    base: str  # the FROM image (or an earlier stage's name)
    name: str | None  # `AS name`
    line: int
    parent: int | None = None  # index of the earlier stage it builds on (`FROM builder`)


@dataclass
class Dockerfile:
    instructions: list[Instruction]
    stages: list[Stage] = field(default_factory=list)
    directives: dict[str, str] = field(default_factory=dict)
    escape: str = "\\"

    @property
    def copies(self) -> list[Instruction]:
        """COPY/ADD instructions that read the build context, with at least one context source."""
        return [i for i in self.instructions if i.copy_sources]

    def stage_chain(self, index: int | None = None) -> list[int]:
        """The stage (the last one by default) and the earlier stages it builds on, oldest first."""
        if not self.stages:
            return []
        chain: list[int] = []
        current: int | None = self.stages[-1].index if index is None else index
        while current is not None and current not in chain:
            chain.insert(0, current)
            current = self.stages[current].parent
        return chain

    def copies_to(self, target: str) -> list[str]:
        """Context sources whose CONTENT the final image holds at `target` (a folder): `COPY app/ .` under
        `WORKDIR /home/app` puts app/'s content in /home/app; a stage built on an earlier one keeps that
        stage's copies. A single source copied to a path without a trailing slash is a file or folder
        named `target`, and counts only when spelt as a folder (`app/`, `.`)."""
        target = posixpath.normpath(target)
        chain = set(self.stage_chain())
        found: list[str] = []
        for instr in self.instructions:
            if instr.stage not in chain or not instr.copy_sources or instr.destination != target:
                continue
            dest = instr.args[-1]
            into_folder = dest.endswith(("/", "\\")) or dest in (".", "./") or len(instr.args) > 2
            found += [s for s in instr.copy_sources
                      if into_folder or s.endswith(("/", "\\")) or s in (".", "./")]
        return found


def _is_url(source: str) -> bool:
    return "://" in source or source.startswith("git@")


def resolve(workdir: str, path: str) -> str:
    """`path` as the builder resolves it against `workdir` (Windows drive paths kept as written)."""
    if has_drive(path) or path.startswith("/"):
        return posixpath.normpath(path) if path.startswith("/") else path
    return posixpath.normpath(posixpath.join(workdir or "/", path))
