"""Compose's variable interpolation, and the ONE resolver of the paths a compose file writes.

Interpolation follows compose (compose-go's template package): `$$` is a literal `$`; `$VAR` and
`${VAR}`; `${VAR:-default}` (unset or empty), `${VAR-default}` (unset); `${VAR:?message}` and `${VAR?message}`
stop compose; `${VAR:+other}` and `${VAR+other}`; defaults nest (`${A:-${B:-x}}`). An unset variable
without a default becomes "" (compose warns "The VAR variable is not set"). Values come from the shell's
environment first, then the project's `.env` (the shell wins, as in compose).

Paths: relative to the folder of the file that wrote them, `~` expanded, `.`/`..` folded. A Windows path
(`C:\\proj\\.env`, `\\\\server\\share`) keeps its drive; on a machine that is not Windows it names no local
file (`path` is None). A URL (`https://...`, `git@host:repo`) is remote, never a local path.
"""
from __future__ import annotations

import os
import re
import sys
from ..records import dataclass
from pathlib import Path
from typing import Mapping

from .host_paths import is_url, is_windows_absolute, windows_normalized

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@dataclass(frozen=True)
class Interpolated:
    text: str
    missing: tuple[str, ...] = ()  # variables used without a value and without a default
    error: str | None = None  # a `${VAR:?message}` whose VAR is unset: compose stops with it


class _Scanner:
    def __init__(self, text: str, scope: Mapping[str, str]) -> None:
        self.text, self.scope = text, scope
        self.missing: list[str] = []
        self.error: str | None = None

    def expand(self, i: int, closing: bool) -> tuple[str, int]:
        """Expand from `i` to the end, or (closing) to the `}` that ends a default; returns (text, index)."""
        out: list[str] = []
        text, n = self.text, len(self.text)
        while i < n:
            # The text up to the next `$` (or the `}` before it) is copied as is: one str.find, not a step
            # per character.
            dollar = text.find("$", i)
            dollar = n if dollar < 0 else dollar
            if closing and (brace := text.find("}", i, dollar)) >= 0:
                out.append(text[i:brace])
                return "".join(out), brace
            out.append(text[i:dollar])
            i = dollar
            if i + 1 >= n:  # the end, or a `$` that ends the text (kept as written)
                out.append(text[i:])
                i = n
                break
            nxt = text[i + 1]
            if nxt == "$":
                out.append("$")
                i += 2
            elif nxt == "{":
                value, i = self._braced(i + 2)
                out.append(value)
            elif m := _NAME.match(text, i + 1):
                out.append(self._value(m.group(0)) or "")
                if m.group(0) not in self.scope:
                    self.missing.append(m.group(0))
                i = m.end()
            else:
                out.append("$")
                i += 1
        return "".join(out), i

    def _value(self, name: str) -> str | None:
        return self.scope.get(name)

    def _braced(self, i: int) -> tuple[str, int]:
        m = _NAME.match(self.text, i)
        if m is None:  # `${}` or `${1x}`: compose refuses it ("Invalid template"); keep it as written
            end = self.text.find("}", i)
            end = len(self.text) if end < 0 else end + 1
            self.error = self.error or f"invalid interpolation `{self.text[i - 2:end]}`"
            return self.text[i - 2:end], end
        name, i = m.group(0), m.end()
        value = self._value(name)
        op = ""
        for candidate in (":-", ":?", ":+", "-", "?", "+"):
            if self.text.startswith(candidate, i):
                op, i = candidate, i + len(candidate)
                break
        argument, i = self.expand(i, closing=True) if op else ("", i)
        i = i + 1 if i < len(self.text) and self.text[i] == "}" else i  # an unclosed `${` ends the text
        empty = value is None or (op.startswith(":") and value == "")
        if op in (":-", "-"):
            return (argument if empty else value or ""), i
        if op in (":?", "?"):
            if empty:
                self.error = self.error or f"required variable {name} is missing a value" + (
                    f": {argument}" if argument else "")
                return "", i
            return value or "", i
        if op in (":+", "+"):
            return ("" if empty else argument), i
        if value is None:
            self.missing.append(name)
        return value or "", i


def interpolate(text: str, scope: Mapping[str, str]) -> Interpolated:
    scanner = _Scanner(text, scope)
    value, _ = scanner.expand(0, closing=False)
    return Interpolated(value, tuple(dict.fromkeys(scanner.missing)), scanner.error)


@dataclass(frozen=True)
class ResolvedPath:
    raw: str  # as written
    text: str  # interpolated, made absolute where it is local
    kind: str  # "local", "windows" (a Windows path on a machine that is not Windows), "url"
    path: Path | None  # the local file or folder it names; None for a URL or a foreign Windows path
    missing: tuple[str, ...] = ()
    error: str | None = None

    @property
    def interpolated(self) -> bool:
        """Written with a variable: the path depends on the environment it is resolved in."""
        return "$" in self.raw.replace("$$", "")


class PathResolver:
    """Resolves the paths of one compose file: `folder` is the file's folder (compose's working directory
    for it), `scope` the variables compose interpolates with."""

    def __init__(self, folder: Path, scope: Mapping[str, str], platform: str = sys.platform) -> None:
        self.folder, self.scope, self.platform = folder, scope, platform

    def interpolate(self, text: str) -> Interpolated:
        return interpolate(text, self.scope)

    def resolve(self, raw: str, base: Path | None = None) -> ResolvedPath:
        """`raw` relative to `base` (default: the compose file's folder)."""
        done = interpolate(raw, self.scope)
        text = done.text
        if is_url(text):
            return ResolvedPath(raw, text, "url", None, done.missing, done.error)
        if is_windows_absolute(text):
            if self.platform == "win32":
                return ResolvedPath(raw, windows_normalized(text), "local", Path(windows_normalized(text)),
                                    done.missing, done.error)
            return ResolvedPath(raw, windows_normalized(text), "windows", None, done.missing, done.error)
        if text.startswith("~"):
            home = self.scope.get("HOME") or os.path.expanduser("~")
            text = home + text[1:] if text == "~" or text[1] in "/\\" else text
        folder = base or self.folder
        absolute = Path(os.path.normpath(text if os.path.isabs(text) else folder / text))
        return ResolvedPath(raw, str(absolute), "local", absolute, done.missing, done.error)
