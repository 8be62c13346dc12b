"""The typed results every check returns: a Finding with a Status, an optional Location and Fixes."""
from __future__ import annotations

import enum
from .records import dataclass, field
from typing import Any, Mapping

from .choices import SHELLS


class Status(str, enum.Enum):
    OK = "ok"
    WARN = "warn"
    FAIL = "fail"
    SKIP = "skip"
    ERROR = "error"  # the check itself could not decide: it crashed, timed out or failed to load


STATUS_ORDER = (Status.OK, Status.WARN, Status.FAIL, Status.SKIP, Status.ERROR)

# "any" marks an edit that is the same whatever the shell (SHELLS: the shells a fix can be written for).
ANY_SHELL = "any"


class Level(str, enum.Enum):
    """Where dind-doctor runs, relative to the daemon it talks to."""

    HOST = "host"  # not in a container; the daemon is local (or Docker Desktop's VM)
    DOOD = "dood"  # in a container driving the host's daemon through a mounted socket
    DIND = "dind"  # in a container that runs its own dockerd
    REMOTE = "remote"  # the daemon is on another machine (tcp:// or ssh:// to a non-local host)
    CONTAINER = "container"  # in a container whose daemon could not be identified or reached


ALL_LEVELS = frozenset(Level)


@dataclass(frozen=True)
class Fix:
    shell: str  # one of SHELLS, or ANY_SHELL
    text: str

    def __post_init__(self) -> None:
        if self.shell not in SHELLS and self.shell != ANY_SHELL:
            raise ValueError(f"unknown shell {self.shell!r}")


@dataclass(frozen=True)
class Location:
    path: str
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        parts = [self.path] + [str(n) for n in (self.line, self.column) if n is not None]
        return ":".join(parts)


@dataclass(frozen=True)
class Suppression:
    """Why a finding is turned off, and where that was said (`.dind-doctor.toml:12`, `run.ps1:3`)."""

    reason: str
    source: str
    kind: str = "config"  # "config" (a config file entry) or "inline" (a comment in the file itself)


@dataclass(frozen=True)
class Finding:
    check: str
    status: Status
    summary: str
    detail: str = ""
    location: Location | None = None
    fixes: tuple[Fix, ...] = ()
    evidence: Mapping[str, Any] = field(default_factory=dict)
    # Set after the checks ran (dind_doctor.policy): a suppressed finding is reported with its reason but
    # counts for nothing; the fingerprint identifies it in a baseline across edits that move lines.
    suppression: Suppression | None = None
    fingerprint: str = ""

    @property
    def active(self) -> bool:
        """Counted in the tally and the exit code (not suppressed)."""
        return self.suppression is None

    def fixes_for(self, shell: str) -> list[Fix]:
        """The fixes to show a user of `shell`: those written for it, and the shell-independent ones."""
        return [f for f in self.fixes if f.shell in (shell, ANY_SHELL)]


def fixes(**by_shell: str) -> tuple[Fix, ...]:
    """fixes(powershell=..., bash=...) -> Fix tuple. `gitbash` falls back to the bash text unless given."""
    if "bash" in by_shell and "gitbash" not in by_shell:
        by_shell["gitbash"] = by_shell["bash"]
    return tuple(Fix(shell, text) for shell, text in by_shell.items())


def same_fix(text: str) -> tuple[Fix, ...]:
    """A fix that reads the same in every shell (an edit to a file, a setting to change)."""
    return (Fix(ANY_SHELL, text),)
