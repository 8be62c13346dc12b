"""env-file, part 3: a `.env` tracked by git (its secrets are in the history) or not ignored."""
from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from dind_doctor import subprocesses
from dind_doctor.model import Finding, Location, Status, same_fix
from dind_doctor.project.files import ProjectFiles
from dind_doctor.project.fixers import append_fixes
from dind_doctor.project.git_ignored import start_git
from dind_doctor.project.gitattributes import work_tree_root

if TYPE_CHECKING:
    from dind_doctor.check import Check


def _rel_inside(path: Path, root: Path) -> str | None:
    """path relative to root, or None when it is outside it (or, on Windows, on another drive)."""
    try:
        rel = os.path.relpath(path, root)
    except ValueError:
        return None
    return None if rel == os.pardir or rel.startswith(os.pardir + os.sep) else rel


class GitTags:
    """git's `ls-files -t` tag for each of `env_paths` (walked files), asked when made and read by
    findings(): env-file makes one before it reads the env files' content, so git lists while Python reads
    (about 3 ms of git the check no longer waits for). close() frees the child when findings() never came.

    The tags: `?` untracked and not ignored, any other letter tracked (H cached, S skip-worktree, M
    unmerged); a file git does not list is untracked and ignored (`--exclude-standard` leaves those out of
    `--others`). One child answers both questions that took `ls-files` and `check-ignore` before.
    `--literal-pathspecs`: a file named `[ab].env` is that file, not a pattern that lists others."""

    def __init__(self, files: ProjectFiles, env_paths: list[Path]) -> None:
        self._running: subprocesses.Running | None = None
        self.env_paths: list[Path] = []
        self.rels: list[str] = []
        root = work_tree_root(files.root)
        if root is None:
            return
        self.root = root
        # Only the files inside the work tree: git refuses the whole question for one outside it (an env_file
        # `../shared.env`), which would hide a tracked `.env` too.
        for path in env_paths:
            rel = _rel_inside(path, root)
            if rel is not None:
                self.env_paths.append(path)
                self.rels.append(rel)
        if not self.rels:
            return
        try:
            self._running = start_git(["--literal-pathspecs", "ls-files", "-z", "-t", "--cached", "--others",
                                       "--exclude-standard", "--", *self.rels], root)
        except subprocesses.ChildFailed:  # git cannot tell (not installed, did not start): no finding
            pass

    def _tags(self, timeout: float) -> dict[str, str] | None:
        """rel path -> tag; None when git cannot tell."""
        running, self._running = self._running, None
        if running is None:
            return None
        try:
            done = running.result(timeout)
        except subprocesses.ChildFailed:
            return None
        if done.returncode != 0:
            return None
        entries = done.stdout.decode("utf-8", "replace").split("\0")
        return {entry[2:]: entry[0] for entry in entries if len(entry) > 2 and entry[1] == " "}

    def close(self) -> None:
        if self._running is not None:
            self._running.close()
            self._running = None

    def findings(self, check: "Check", files: ProjectFiles, timeout: float) -> list[Finding]:
        tags = self._tags(timeout)
        if tags is None:
            return []
        out = []
        for path, rel in zip(self.env_paths, self.rels):
            rel_posix = rel.replace(os.sep, "/")
            shown = files.rel(path)
            tag = tags.get(rel_posix, tags.get(rel))
            if tag is not None and tag != "?":
                out.append(check.finding(
                    Status.FAIL, f"{shown} is tracked by git: its credentials are in the repository's history",
                    location=Location(shown),
                    detail="Anyone with a clone reads them, including from past commits. Untrack it, ignore it, "
                           "and rotate the credentials it held.",
                    fixes=same_fix(f"git rm --cached \"{rel_posix}\" && echo \"{rel_posix}\" >> .gitignore && "
                                   "git commit -m \"Stop tracking credentials\"   # then rotate them")))
            elif tag == "?":
                out.append(check.finding(
                    Status.WARN, f"{shown} is not ignored by git: one `git add .` commits the credentials",
                    location=Location(shown), fixes=append_fixes(str(self.root / ".gitignore"), [rel_posix])))
        return out
