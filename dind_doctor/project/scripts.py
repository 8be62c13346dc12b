"""The project's scripts by dialect: files (.ps1, .cmd/.bat, .sh) and fenced code blocks in Markdown.

Both the backtick and the path-form checks read the same sources: `scripts(ctx, dialect)` builds them
once per run (through Context.memo), the Markdown files are split into code blocks once for all dialects,
and a PowerShell source is tokenised once (`ScriptSource.tokens`), whichever check asks first.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from .files import FileText, ProjectFiles, project_files
from .pstokens import BASH_LANGS, CMD_LANGS, POWERSHELL_LANGS, CodeBlock, Token, markdown_blocks, tokenize

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


def scripts(ctx, dialect: str) -> Scripts:
    """collect() for the project of ctx, built once per run and dialect and shared by the checks."""
    files = project_files(ctx)
    return ctx.memo(f"scripts {dialect}", lambda: collect(
        files, dialect, ctx.memo("markdown code blocks", lambda: markdown_code(files))))


def reencode(content: FileText, new_text: str) -> bytes | None:
    """The file's bytes with `new_text` in place of its text, in its own encoding and BOM; None when the
    file cannot be written back unchanged elsewhere (not UTF-8/UTF-16, or only partly read)."""
    if content.problem is not None or content.truncated:
        return None
    if content.utf16:
        bom = b"\xff\xfe" if content.encoding == "utf-16-le" else b"\xfe\xff"
        return (bom if content.bom else b"") + new_text.encode(content.encoding)
    return (b"\xef\xbb\xbf" if content.bom else b"") + new_text.encode("utf-8")
