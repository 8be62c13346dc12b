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
from dind_doctor.project.git_ignored import SAFE_CONFIG, read_only_env
from dind_doctor.project.gitattributes import work_tree_root

if TYPE_CHECKING:
    from dind_doctor.check import Check


def _git_tags(git: str, root: Path, rels: list[str], timeout: float) -> dict[str, str] | None:
    """Each of `rels` (walked files) that git lists, with its `ls-files -t` tag: `?` untracked and not
    ignored, any other letter tracked (H cached, S skip-worktree, M unmerged); a file it does not list is
    untracked and ignored (`--exclude-standard` leaves those out of `--others`). One child answers both
    questions that took `ls-files` and `check-ignore` before. `--literal-pathspecs`: a file named `[ab].env`
    is that file, not a pattern that lists others. None when git cannot tell."""
    try:
        done = subprocesses.run([git, *SAFE_CONFIG, "--literal-pathspecs", "-C", str(root), "ls-files", "-z", "-t",
                                 "--cached", "--others", "--exclude-standard", "--", *rels], timeout=timeout,
                                env=read_only_env())
    except subprocesses.ChildFailed:
        return None
    if done.returncode != 0:
        return None
    entries = done.stdout.decode("utf-8", "replace").split("\0")
    return {entry[2:]: entry[0] for entry in entries if len(entry) > 2 and entry[1] == " "}


def git_findings(check: "Check", files: ProjectFiles, env_paths: list[Path], timeout: float) -> list[Finding]:
    root = work_tree_root(files.root)
    git = shutil.which("git")
    if root is None or git is None or not env_paths:
        return []
    rels = [os.path.relpath(p, root) for p in env_paths]
    tags = _git_tags(git, root, rels, timeout)
    if tags is None:
        return []
    out = []
    for path, rel in zip(env_paths, rels):
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
                location=Location(shown), fixes=append_fixes(str(root / ".gitignore"), [rel_posix])))
    return out
