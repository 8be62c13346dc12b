"""The entry points of one group, read from the installed distributions' metadata folders on sys.path
the way importlib.metadata finds them, without importing it: importlib.metadata and the email package it
parses METADATA with cost 12-27 ms, more than the rest of a `check --static` start-up's registry work.

The rules are importlib.metadata.entry_points(group=...)'s: each sys.path entry in order ('' is the
current folder), its *.dist-info and *.egg-info folders (and an .egg folder's EGG-INFO), one distribution
per normalised name where the first found wins (the same package in a virtual environment and in the
system site-packages it sees, or an editable install next to a regular one). What this reader does not
cover, a zip archive on sys.path or an import hook that provides distributions of its own, is handed to
importlib.metadata itself, so the answer is the same everywhere.
"""
from __future__ import annotations

import importlib
import os
import re
import sys
from typing import Iterator

METADATA_SUFFIXES = (".dist-info", ".egg-info")


class EntryPoint:
    """One `name = module:attribute` line of a group; `package` is the distribution that declared it."""

    __slots__ = ("name", "value", "_folder", "_package")

    def __init__(self, name: str, value: str, folder: str | None = None, package: str | None = None) -> None:
        self.name, self.value, self._folder, self._package = name, value, folder, package

    def __repr__(self) -> str:
        return f"EntryPoint({self.name!r}, {self.value!r})"

    def load(self) -> object:
        """Import the module and return the attribute (importlib.metadata.EntryPoint.load's grammar)."""
        match = re.match(r"(?P<module>[\w.]+)\s*(:\s*(?P<attr>[\w.]+)\s*)?((?P<extras>\[.*\])\s*)?$", self.value)
        if match is None:
            raise ValueError(f"{self.value!r} is not module:attribute")
        obj: object = importlib.import_module(match.group("module"))
        for attr in filter(None, (match.group("attr") or "").split(".")):
            obj = getattr(obj, attr)
        return obj

    @property
    def package(self) -> str:
        """The distribution's own name (METADATA's or PKG-INFO's Name), read only when asked: for a
        failure message."""
        if self._package is None:
            self._package = _metadata_name(self._folder) or self.value.split(":")[0].split(".")[0]
        return self._package


def _metadata_name(folder: str | None) -> str | None:
    for file_name in ("METADATA", "PKG-INFO"):
        try:
            with open(os.path.join(folder or "", file_name), encoding="utf-8", errors="replace") as f:
                for line in f:
                    if not line.strip():
                        break  # the headers end at the first blank line
                    if line.startswith("Name:"):
                        return line[5:].strip()
        except OSError:
            continue
    return None


def normalize(name: str) -> str:
    """PEP 503 normalisation with dashes as underscores, as importlib.metadata compares names."""
    return re.sub(r"[-_.]+", "_", name).lower()


def metadata_folders(entry: str) -> Iterator[tuple[str, str]]:
    """(normalised distribution name, metadata folder) in one sys.path entry, in directory order.
    NotADirectoryError when the entry is a file (a zip archive)."""
    root = entry or "."
    try:
        children = os.listdir(root)
    except NotADirectoryError:
        raise
    except OSError:  # missing or unreadable: importlib.metadata skips it too
        return
    base = os.path.basename(entry).lower()
    for child in children:
        low = child.lower()
        if low.endswith(METADATA_SUFFIXES):
            yield normalize(low.rpartition(".")[0].partition("-")[0]), os.path.join(entry, child)
        elif low == "egg-info" and base.endswith(".egg"):
            yield normalize(base.rpartition(".")[0].partition("-")[0]), os.path.join(entry, child)


def parse_group(text: str, group: str, folder: str) -> Iterator[EntryPoint]:
    """The `name = value` lines of [group] in an entry_points.txt (INI-like; '#' starts a comment)."""
    section = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1].strip()
        elif section == group:
            name, eq, value = line.partition("=")
            if eq:
                yield EntryPoint(name.strip(), value.strip(), folder)


def _only_path_finder() -> bool:
    """No import hook on sys.meta_path provides distributions besides the standard path finder."""
    from importlib.machinery import PathFinder

    return all(finder is PathFinder or not hasattr(finder, "find_distributions") for finder in sys.meta_path)


def _with_importlib_metadata(group: str) -> list[EntryPoint]:
    from importlib.metadata import entry_points

    return [EntryPoint(ep.name, ep.value, package=getattr(getattr(ep, "dist", None), "name", None))
            for ep in entry_points(group=group)]


def entry_points(group: str) -> list[EntryPoint]:
    """Every entry point of `group`, distribution by distribution in sys.path order."""
    if not _only_path_finder():
        return _with_importlib_metadata(group)
    seen: set[str] = set()
    found: list[EntryPoint] = []
    for entry in sys.path:
        try:
            folders = list(metadata_folders(entry))
        except NotADirectoryError:
            return _with_importlib_metadata(group)  # a zip archive: importlib.metadata reads those
        for name, folder in folders:
            if name in seen:
                continue
            seen.add(name)
            try:
                with open(os.path.join(folder, "entry_points.txt"), encoding="utf-8") as f:
                    text = f.read()
            except (OSError, UnicodeDecodeError):
                continue
            if group in text:
                found.extend(parse_group(text, group, folder))
    return found
