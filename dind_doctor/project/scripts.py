"""The project's scripts by dialect: files (.ps1, .cmd/.bat, .sh) and fenced code blocks in Markdown.

Both the backtick and the path-form checks read the same sources; the file contents come from the
per-Context cache, so each file is read once.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .files import FileText, ProjectFiles
from .pstokens import BASH_LANGS, CMD_LANGS, POWERSHELL_LANGS, markdown_blocks

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


@dataclass
class Scripts:
    sources: list[ScriptSource]
    unreadable: list[FileText]  # script files with no usable text (binary, unreadable)


def collect(files: ProjectFiles, dialect: str) -> Scripts:
    sources: list[ScriptSource] = []
    unreadable: list[FileText] = []
    for path in files.by_suffix(*SUFFIXES[dialect]):
        content = files.read(path)
        if content.usable:
            sources.append(ScriptSource(content, dialect, content.text))
        else:
            unreadable.append(content)
    for path in files.by_suffix(".md", ".markdown"):
        content = files.read(path)
        if not content.usable or "```" not in content.text and "~~~" not in content.text:
            continue
        for block in markdown_blocks(content.text):
            if block.language in LANGS[dialect]:
                sources.append(ScriptSource(content, dialect, block.text, block.first_line, block.offset, True))
    return Scripts(sources, unreadable)


def reencode(content: FileText, new_text: str) -> bytes | None:
    """The file's bytes with `new_text` in place of its text, in its own encoding and BOM; None when the
    file cannot be written back unchanged elsewhere (not UTF-8/UTF-16, or only partly read)."""
    if content.problem is not None or content.truncated:
        return None
    if content.utf16:
        bom = b"\xff\xfe" if content.encoding == "utf-16-le" else b"\xfe\xff"
        return (bom if content.bom else b"") + new_text.encode(content.encoding)
    return (b"\xef\xbb\xbf" if content.bom else b"") + new_text.encode("utf-8")
