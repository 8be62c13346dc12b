"""The project's config file: `[tool.dind-doctor]` in pyproject.toml, or `.dind-doctor.toml` at the root.

Both at once is an error rather than a precedence rule: an entry that turns findings off carries a reason,
and a second file silently winning or losing would hide some of those reasons. Every error (TOML syntax,
an unknown key, a bad type, a missing reason) names the file and line and exits 2.
"""
from __future__ import annotations

import math
import sys
from .records import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from .globs import glob_matcher
from .choices import FAIL_ON, SHELLS
from .tomlines import key_line
from .errors import DindDoctorError

DEDICATED = ".dind-doctor.toml"
PYPROJECT = "pyproject.toml"
TOOL_TABLE = ("tool", "dind-doctor")
KEYS = {"checks", "skip", "exclude", "options", "shell", "timeout", "fail-on"}
EXCLUDE_KEYS = {"paths", "checks", "reason"}


class ConfigError(DindDoctorError):
    """A config file that cannot be used: the message names the file and line."""


@dataclass(frozen=True)
class Exclude:
    patterns: tuple[str, ...]
    checks: frozenset[str] | None  # None: every check
    reason: str
    source: str  # "file:line"

    def __post_init__(self) -> None:
        object.__setattr__(self, "_match", glob_matcher(self.patterns))

    def matches(self, path: str) -> bool:
        return self._match(path)  # type: ignore[attr-defined]

    def covers(self, check: str, path: str) -> bool:
        return (self.checks is None or check in self.checks) and self.matches(path)


@dataclass(frozen=True)
class Config:
    path: Path | None = None
    checks: tuple[str, ...] | None = None  # run only these (None: all)
    skip: Mapping[str, tuple[str, str]] = field(default_factory=dict)  # check id -> (reason, "file:line")
    exclude: tuple[Exclude, ...] = ()
    options: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)  # check id -> option -> value
    shell: str | None = None
    timeout: float | None = None
    fail_on: str | None = None

    def fix_refusal(self, rel: str) -> str | None:
        """Why --fix must leave `rel` alone: an exclude (for any check) covers it. None when it may fix it."""
        entry = next((e for e in self.exclude if e.matches(rel)), None)
        return None if entry is None else f"excluded by {entry.source} ({entry.reason})"


class _Reader:
    """Validates one parsed file, locating each problem on its line."""

    def __init__(self, path: Path, text: str, table: tuple[str, ...], known: Mapping[str, Any]) -> None:
        self.path, self.text, self.table, self.known = path, text, table, known

    def where(self, *keys: str | int) -> str:
        return f"{self.path.name}:{key_line(self.text, self.table + tuple(keys))}"

    def fail(self, message: str, *keys: str | int) -> ConfigError:
        return ConfigError(f"{self.where(*keys)}: {message}")

    def string(self, value: Any, *keys: str | int, choices: tuple[str, ...] = ()) -> str:
        if not isinstance(value, str) or not value.strip():
            raise self.fail(f"`{keys[-1]}` must be a non-empty string, not {value!r}", *keys)
        if choices and value not in choices:
            raise self.fail(f"`{keys[-1]}` must be one of {', '.join(choices)}, not {value!r}", *keys)
        return value.strip()

    def check_ids(self, value: Any, *keys: str | int) -> tuple[str, ...]:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.fail(f"`{keys[-1]}` must be a list of check ids, not {value!r}", *keys)
        for cid in value:
            self.check_id(cid, *keys)
        return tuple(value)

    def check_id(self, cid: str, *keys: str | int) -> str:
        if cid not in self.known:
            raise self.fail(f"unknown check id {cid!r} (known: {', '.join(self.known)})", *keys)
        return cid

    def read(self, data: Mapping[str, Any]) -> Config:
        unknown = sorted(set(data) - KEYS)
        if unknown:
            raise self.fail(f"unknown key {unknown[0]!r} (known: {', '.join(sorted(KEYS))})", unknown[0])
        values: dict[str, Any] = {"path": self.path}
        if "checks" in data:
            values["checks"] = self.check_ids(data["checks"], "checks")
        if "skip" in data:
            values["skip"] = self.skip(data["skip"])
        if "exclude" in data:
            values["exclude"] = self.exclude(data["exclude"])
        if "options" in data:
            values["options"] = self.options(data["options"])
        if "shell" in data:
            values["shell"] = self.string(data["shell"], "shell", choices=("auto",) + SHELLS)
        if "timeout" in data:
            t = data["timeout"]
            if isinstance(t, bool) or not isinstance(t, (int, float)) or not math.isfinite(t) or t < 0.1:
                raise self.fail(f"`timeout` must be a number of seconds of at least 0.1, not {t!r}", "timeout")
            values["timeout"] = float(t)
        if "fail-on" in data:
            values["fail_on"] = self.string(data["fail-on"], "fail-on", choices=FAIL_ON)
        return Config(**values)

    def skip(self, table: Any) -> dict[str, tuple[str, str]]:
        if not isinstance(table, dict):
            raise self.fail("`skip` must be a table of check id = \"reason\"", "skip")
        out = {}
        for cid, reason in table.items():
            self.check_id(cid, "skip", cid)
            if not isinstance(reason, str) or not reason.strip():
                raise self.fail(f"skipping {cid} needs a reason: {cid} = \"why it does not apply here\"", "skip", cid)
            out[cid] = (reason.strip(), self.where("skip", cid))
        return out

    def exclude(self, entries: Any) -> tuple[Exclude, ...]:
        if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
            raise self.fail("`exclude` must be a list of tables ([[...exclude]] with paths and a reason)", "exclude")
        out = []
        for i, entry in enumerate(entries):
            unknown = sorted(set(entry) - EXCLUDE_KEYS)
            if unknown:
                raise self.fail(f"unknown key {unknown[0]!r} in an exclude (known: paths, checks, reason)",
                                "exclude", i, unknown[0])
            paths = entry.get("paths")
            if isinstance(paths, str):
                paths = [paths]
            if not paths or not isinstance(paths, list) or not all(isinstance(p, str) and p for p in paths):
                raise self.fail(f"an exclude needs `paths`, a list of globs, not {paths!r}", "exclude", i, "paths")
            if "reason" not in entry:
                raise self.fail("an exclude needs a `reason` (it is kept in the JSON and SARIF outputs)",
                                "exclude", i)
            reason = self.string(entry["reason"], "exclude", i, "reason")
            checks = frozenset(self.check_ids(entry["checks"], "exclude", i, "checks")) if "checks" in entry else None
            out.append(Exclude(tuple(paths), checks, reason, self.where("exclude", i)))
        return tuple(out)

    def options(self, table: Any) -> dict[str, dict[str, Any]]:
        if not isinstance(table, dict) or not all(isinstance(v, dict) for v in table.values()):
            raise self.fail("`options` must hold one table per check: [tool.dind-doctor.options.CHECK_ID]", "options")
        out: dict[str, dict[str, Any]] = {}
        for cid, given in table.items():
            declared = getattr(self.known[self.check_id(cid, "options", cid)], "options", {})
            for name, value in given.items():
                if name not in declared:
                    known = ", ".join(declared) or "none"
                    raise self.fail(f"{cid} has no option {name!r} (its options: {known})", "options", cid, name)
                problem = declared[name].problem(value)
                if problem:
                    raise self.fail(f"option {name} of {cid}: {problem}", "options", cid, name)
            out[cid] = dict(given)
        return out


def _parse(path: Path) -> tuple[str, dict[str, Any]]:
    from .project.file_text import read_project_file

    if sys.version_info >= (3, 11):  # imported here: most projects have no config file
        import tomllib
    else:  # Python 3.10 has no tomllib; tomli is the same parser (a dependency only there)
        import tomli as tomllib

    content = read_project_file(path.parent, path)  # a FIFO or a link out of the project is not read
    if content.problem is not None or content.truncated:
        raise ConfigError(f"{path.name}: cannot be read: {content.problem or 'larger than 1 MiB'}")
    try:
        text = content.text.lstrip("\ufeff")
        return text, tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path.name}: not valid TOML: {exc}") from None


def load(project: Path, known: Mapping[str, Any]) -> Config:
    """The project's config (an empty Config when there is none). `known`: check id -> Check class."""
    dedicated, pyproject = project / DEDICATED, project / PYPROJECT
    found: list[tuple[Path, str, dict[str, Any], tuple[str, ...]]] = []
    if pyproject.is_file():
        text, data = _parse(pyproject)
        section = data.get("tool", {}).get("dind-doctor") if isinstance(data.get("tool"), dict) else None
        if section is not None:
            if not isinstance(section, dict):
                raise ConfigError(f"{PYPROJECT}:{key_line(text, TOOL_TABLE)}: [tool.dind-doctor] must be a table")
            found.append((pyproject, text, section, TOOL_TABLE))
    if dedicated.is_file():
        text, data = _parse(dedicated)
        found.append((dedicated, text, data, ()))
    if len(found) > 1:
        raise ConfigError(f"both {DEDICATED} and [tool.dind-doctor] in {PYPROJECT} configure dind-doctor: keep "
                          "one (neither silently wins, so that no reason-carrying entry is hidden)")
    if not found:
        return Config()
    path, text, data, table = found[0]
    return _Reader(path, text, table, known).read(data)
