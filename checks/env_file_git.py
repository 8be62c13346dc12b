"""env-file, part 3: a `.env` tracked by git (its secrets are in the history) or not ignored."""
from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

from dind_doctor import subprocesses
from dind_doctor.model import Finding, Location, Status, same_fix
from dind_doctor.project.files import ProjectFiles
from dind_doctor.project.fixers import append_fixes
from dind_doctor.project.gitattributes import work_tree_root

if TYPE_CHECKING:
    from dind_doctor.check import Check


def _git_lists(git: str, root: Path, rels: list[str], timeout: float) -> tuple[list[str], list[str]] | None:
    """(tracked, ignored) among `rels`, or None when git cannot tell."""
    try:
        tracked = subprocesses.run([git, "-C", str(root), "ls-files", "-z", "--", *rels], timeout=timeout)
        ignored = subprocesses.run([git, "-C", str(root), "check-ignore", "-z", "--stdin"], timeout=timeout,
                                   input="\0".join(rels).encode("utf-8"))
    except subprocesses.ChildFailed:
        return None
    return (tracked.stdout.decode("utf-8", "replace").split("\0"),
            ignored.stdout.decode("utf-8", "replace").split("\0"))


def git_findings(check: "Check", files: ProjectFiles, env_paths: list[Path], timeout: float) -> list[Finding]:
    root = work_tree_root(files.root)
    git = shutil.which("git")
    if root is None or git is None or not env_paths:
        return []
    rels = [os.path.relpath(p, root) for p in env_paths]
    lists = _git_lists(git, root, rels, timeout)
    if lists is None:
        return []
    tracked, ignored = lists
    out = []
    for path, rel in zip(env_paths, rels):
        rel_posix = rel.replace(os.sep, "/")
        shown = files.rel(path)
        if rel_posix in tracked or rel in tracked:
            out.append(check.finding(
                Status.FAIL, f"{shown} is tracked by git: its credentials are in the repository's history",
                location=Location(shown),
                detail="Anyone with a clone reads them, including from past commits. Untrack it, ignore it, "
                       "and rotate the credentials it held.",
                fixes=same_fix(f"git rm --cached \"{rel_posix}\" && echo \"{rel_posix}\" >> .gitignore && "
                               "git commit -m \"Stop tracking credentials\"   # then rotate them")))
        elif rel_posix not in ignored and rel not in ignored:
            out.append(check.finding(
                Status.WARN, f"{shown} is not ignored by git: one `git add .` commits the credentials",
                location=Location(shown), fixes=append_fixes(str(root / ".gitignore"), [rel_posix])))
    return out
