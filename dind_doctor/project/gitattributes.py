"""Just enough of .gitattributes to answer: does git check this file out with LF endings?

The .gitattributes files that apply to a file are the project's own (at any depth above the file) and
those of its ancestors up to the git work tree's root; later and deeper lines win. A file is pinned to
LF when its final `eol` is `lf` and `text` is not unset (`-text`, `binary`).
"""
from __future__ import annotations

import fnmatch
from ..records import dataclass
from pathlib import Path, PurePosixPath
from typing import Callable


@dataclass(frozen=True)
class Rule:
    base: Path  # the folder holding the .gitattributes
    pattern: str
    attrs: dict[str, bool | str | None]  # True set, False unset (-x), None unspecified (!x), or a value


def parse(text: str, base: Path) -> list[Rule]:
    rules = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split()
        pattern = parts[0]
        attrs: dict[str, bool | str | None] = {}
        for word in parts[1:]:
            if word == "binary":
                attrs.update(text=False, diff=False)
            elif word.startswith(("-", "!")):
                attrs[word[1:]] = False if word[0] == "-" else None
            elif "=" in word:
                key, value = word.split("=", 1)
                attrs[key] = value
            else:
                attrs[word] = True
        rules.append(Rule(base, pattern, attrs))
    return rules


def matches(rule: Rule, path: Path) -> bool:
    try:
        rel = PurePosixPath(path.relative_to(rule.base).as_posix())
    except ValueError:
        return False
    pattern = rule.pattern
    if "/" not in pattern.rstrip("/"):
        return fnmatch.fnmatchcase(rel.name, pattern)
    pattern = pattern.lstrip("/")
    candidates = [pattern] + ([pattern[3:]] if pattern.startswith("**/") else [])
    return any(fnmatch.fnmatchcase(str(rel), p) for p in candidates)


def work_tree_root(folder: Path) -> Path | None:
    for candidate in [folder, *folder.parents]:
        if (candidate / ".git").exists():
            return candidate
    return None


@dataclass
class Attributes:
    rules: list[Rule]
    files: list[Path]  # the .gitattributes files read, outermost first

    def eol_lf(self, path: Path) -> bool:
        text, eol = None, None
        for rule in self.rules:
            if matches(rule, path):
                text = rule.attrs.get("text", text)
                eol = rule.attrs.get("eol", eol)
        return eol == "lf" and text is not False


def load(project: Path, inner_files: list[Path], read: Callable[[Path], str | None]) -> Attributes:
    """The rules of the ancestors' .gitattributes (up to the git root, when there is one) then the
    project's own, outermost first. `read(path) -> text or None`."""
    root = work_tree_root(project)
    ancestors: list[Path] = []
    if root is not None and root != project:
        folder = project.parent
        while True:
            ancestors.append(folder / ".gitattributes")
            if folder == root or folder == folder.parent:
                break
            folder = folder.parent
    ordered = [p for p in reversed(ancestors) if p.is_file()]
    ordered += sorted(inner_files, key=lambda p: len(p.parts))
    rules: list[Rule] = []
    for path in ordered:
        text = read(path)
        if text:
            rules.extend(parse(text, path.parent))
    return Attributes(rules, ordered)


def pattern_for(name: str) -> str:
    """The .gitattributes pattern a fix writes for a file of this name."""
    lower = name.lower()
    if lower.startswith(".env"):
        return ".env*"
    if lower.startswith("dockerfile") or lower.startswith("containerfile"):
        return name if "." not in name else name.split(".")[0] + ".*"
    if lower.endswith(".dockerfile"):
        return "*.dockerfile"
    stem = name.lstrip(".")
    if "." in stem:
        return "*." + stem.rsplit(".", 1)[1]
    return name
