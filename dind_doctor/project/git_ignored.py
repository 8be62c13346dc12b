"""The folders git ignores in the project (a stale build/, dist/, a data folder), asked of git itself, once.

Scope: what the user's repository holds is governed by its `.gitignore` files; a folder git ignores
entirely is build output, downloads or data, not the project's source, so the walk does not check what it
holds (a stale `build/lib/` copy of the project would otherwise be parsed and reported twice). What a
project ships INTO an image is governed by each build context's `.dockerignore`, not `.gitignore`: the
walk still lists, name only, the files of those folders whose names matter (.env files, Dockerfiles,
compose files, scripts; walk.IgnoredTrees), so that a secret in an ignored folder that `COPY . .` bakes in
is still found and masked; and a file a compose file, Dockerfile or script names is read wherever it is.

One `git ls-files --others --ignored --exclude-standard --directory` child gives git's own answer: every
rule (negation, nested `.gitignore` files, anchoring, `**`, `.git/info/exclude`, core.excludesFile) and
the rule no pattern file can express (a tracked file is never ignored: a folder holding one is listed file
by file, and only folders ignored WHOLE are skipped). It costs about 3 ms on this repository, less than
reading and matching the rules in Python, and is not run at all outside a git checkout. Without git, or
when it fails or times out, nothing is skipped and `note` says why.
"""
from __future__ import annotations

import os
import shutil
from ..records import dataclass
from pathlib import Path

from .. import subprocesses
from .gitattributes import work_tree_root

GIT_TIMEOUT = 10.0
MAX_OUTPUT = 4 * 1024 * 1024  # git lists ignored folders collapsed: 4 MiB is ~100,000 names
# The repository's own config may name a program git runs to refresh its index (core.fsmonitor): a
# cloned project is not trusted to run code, so it is turned off for every git child the checks start.
SAFE_CONFIG = ("-c", "core.fsmonitor=false")
GIT_ARGS = ("ls-files", "--others", "--ignored", "--exclude-standard", "--directory", "-z")


def read_only_env() -> dict[str, str]:
    """The environment of a git child that only reads: it never takes the index lock."""
    return {**os.environ, "GIT_OPTIONAL_LOCKS": "0"}


def start_git(args: tuple[str, ...] | list[str], cwd: Path, max_output: int = MAX_OUTPUT) -> subprocesses.Running:
    """A read-only git child in `cwd` (SAFE_CONFIG, read_only_env), started now, its answer read later: the
    walk's and env-file's questions both run while Python does other work. Raises ChildFailed, also when
    git is not installed."""
    git = shutil.which("git")
    if git is None:
        raise subprocesses.ChildFailed("git is not installed")
    return subprocesses.start([git, *SAFE_CONFIG, *args], cwd=cwd, env=read_only_env(), max_output=max_output)


@dataclass(frozen=True)
class GitIgnored:
    folders: frozenset[str]  # absolute, os.sep-separated, no trailing separator
    note: str | None = None  # why git could not be asked, or its answer was cut: then some were not skipped


NOTHING = GitIgnored(frozenset())
ASKING_KEY = "git ignored folders, asked"  # the Context memo a command's early Asking is lent through


class Asking:
    """git's answer for `root`, asked when this is made and read when the walk needs it: `check` makes one
    before it loads the checks, so git lists while Python imports (commands/pipeline.py). close() frees
    the child when the walk never came."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._running: subprocesses.Running | None = None
        self._answer: GitIgnored | None = None
        if work_tree_root(root) is None:
            self._answer = NOTHING
            return
        try:
            self._running = start_git(GIT_ARGS, root)
        except (subprocesses.ChildFailed, OSError) as exc:  # the walk goes on without it, whatever went wrong
            self._answer = GitIgnored(frozenset(), f"{exc}: .gitignore was not applied")

    def answer(self) -> GitIgnored:
        """The folders under root that git ignores whole; NOTHING outside a git checkout."""
        if self._answer is None:
            assert self._running is not None
            running, self._running = self._running, None
            try:
                self._answer = _parsed(self.root, running.result(GIT_TIMEOUT))
            except (subprocesses.ChildFailed, OSError) as exc:
                self._answer = GitIgnored(frozenset(), f"{exc}: .gitignore was not applied")
        return self._answer

    def close(self) -> None:
        if self._running is not None:
            self._running.close()
            self._running = None

    def __enter__(self) -> "Asking":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def ignored_folders(root: Path) -> GitIgnored:
    """The folders under `root` that git ignores whole; NOTHING outside a git checkout."""
    with Asking(root) as asking:
        return asking.answer()


def _parsed(root: Path, done: subprocesses.Completed) -> GitIgnored:
    if done.returncode != 0:  # not a work tree after all, "dubious ownership", a broken repository
        return GitIgnored(frozenset(), f"git ls-files failed ({done.first_error_line()}): .gitignore was not applied")
    names = done.stdout.split(b"\0")
    if done.truncated:
        names = names[:-1]  # the last name may be cut
    base = os.fspath(root)
    folders = frozenset(os.path.join(base, os.fsdecode(name[:-1]).replace("/", os.sep))
                        for name in names if name.endswith(b"/") and name != b"./")  # ./: the root itself
    return GitIgnored(folders, "git listed more ignored names than are read: some ignored folders were walked"
                      if done.truncated else None)
