"""The project's scripts by dialect: files (.ps1, .cmd/.bat, .sh) and fenced code blocks in Markdown.

Every reader of scripts (the backtick and path-form checks, `levels`) takes them from the `scripts` part of
the ProjectModel (`ctx.project_model.scripts.of(dialect)`), built once per run and dialect; the Markdown
files are split into code blocks once for all dialects; a source is tokenised (PowerShell) and read for
docker commands (docker_commands) once, whichever reader asks first.
"""
from __future__ import annotations

import threading
from ..records import dataclass, field
from functools import cached_property
from pathlib import Path

from .docker_commands import DockerCommand, docker_commands
from .files import ProjectFiles
from .file_text import FileText
from .markdown_fences import BASH_LANGS, CMD_LANGS, POWERSHELL_LANGS, CodeBlock, markdown_blocks
from .pstokens import Token, tokenize

SUFFIXES = {"powershell": (".ps1", ".psm1"), "cmd": (".cmd", ".bat"), "bash": (".sh", ".bash")}
LANGS = {"powershell": POWERSHELL_LANGS, "cmd": CMD_LANGS, "bash": BASH_LANGS}


@dataclass(frozen=True)
class ScriptSource:
    file: FileText
    dialect: str  # powershell, cmd, bash
    text: str
    first_line: int = 1
    offset: int = 0  # of `text` in the file's decoded text
    markdown: bool = False

    @property
    def rel(self) -> str:
        return self.file.rel

    @property
    def path(self) -> Path:
        return self.file.path

    @cached_property
    def tokens(self) -> list[Token]:
        """The PowerShell tokens of `text`, computed on first use (a frozen dataclass may cache: the
        value goes straight into the instance's __dict__)."""
        return tokenize(self.text)

    @cached_property
    def docker_commands(self) -> list[DockerCommand]:
        """The docker commands this source runs, read as its shell reads them (once)."""
        return docker_commands(self.text, self.dialect, self.first_line,
                               self.tokens if self.dialect == "powershell" else None)


@dataclass
class Scripts:
    sources: list[ScriptSource]
    unreadable: list[FileText]  # script files with no usable text (binary, unreadable)


def markdown_code(files: ProjectFiles) -> list[tuple[FileText, list[CodeBlock]]]:
    """Each readable Markdown file that has a fence, with its fenced code blocks (all languages)."""
    found = []
    for path in files.by_suffix(".md", ".markdown"):
        content = files.read(path)
        if content.usable and ("```" in content.text or "~~~" in content.text):
            found.append((content, markdown_blocks(content.text)))
    return found


def collect(files: ProjectFiles, dialect: str,
            markdown: list[tuple[FileText, list[CodeBlock]]] | None = None) -> Scripts:
    """The `dialect` script files and Markdown code blocks; `markdown`: markdown_code(files), when known."""
    sources: list[ScriptSource] = []
    unreadable: list[FileText] = []
    for path in files.by_suffix(*SUFFIXES[dialect]):
        content = files.read(path)
        if content.usable:
            sources.append(ScriptSource(content, dialect, content.text))
        else:
            unreadable.append(content)
    for content, blocks in markdown_code(files) if markdown is None else markdown:
        for block in blocks:
            if block.language in LANGS[dialect]:
                sources.append(ScriptSource(content, dialect, block.text, block.first_line, block.offset, True))
    return Scripts(sources, unreadable)


@dataclass
class ProjectScripts:
    """The `scripts` part of the ProjectModel: each dialect's sources collected once, on first use."""

    files: ProjectFiles
    _by_dialect: dict[str, Scripts] = field(default_factory=dict)
    _markdown: list[tuple[FileText, list[CodeBlock]]] | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def of(self, dialect: str) -> Scripts:
        """The `dialect` (powershell, bash, cmd) script files and Markdown code blocks."""
        with self._lock:
            if dialect not in self._by_dialect:
                if self._markdown is None:
                    self._markdown = markdown_code(self.files)
                self._by_dialect[dialect] = collect(self.files, dialect, self._markdown)
            return self._by_dialect[dialect]

    def files_of_every_dialect(self) -> list[ScriptSource]:
        """Script files (not Markdown blocks) of every dialect."""
        return [s for dialect in SUFFIXES for s in self.of(dialect).sources if not s.markdown]


def reencode(content: FileText, new_text: str) -> bytes | None:
    """The file's bytes with `new_text` in place of its text, in its own encoding and BOM; None when the
    file cannot be written back unchanged elsewhere (not UTF-8/UTF-16, or only partly read)."""
    if content.problem is not None or content.truncated:
        return None
    if content.utf16:
        bom = b"\xff\xfe" if content.encoding == "utf-16-le" else b"\xfe\xff"
        return (bom if content.bom else b"") + new_text.encode(content.encoding)
    return (b"\xef\xbb\xbf" if content.bom else b"") + new_text.encode("utf-8")
