"""project-files: what of the project dind-doctor could not read, and why (so that no `ok` is silent)."""
from __future__ import annotations

import os
from pathlib import Path

from dind_doctor.check import Check
from dind_doctor.context import Context
from dind_doctor.model import Finding, Location, Status, same_fix
from dind_doctor.project.files import ProjectFiles, project_files
from dind_doctor.project.file_text import MAX_BYTES
from dind_doctor.project.safe_open import REFUSALS
from dind_doctor.project.scripts import SUFFIXES
from dind_doctor.project.walk import MAX_DEPTH, tier


WHY = {
    "symlink-outside": "Its content is not the project's: dind-doctor does not read it, and `COPY . .` copies "
                       "the link, not the file (the build may miss it or a container may see another file).",
    "fifo": "Compose and `docker run --env-file` read it only while the tool that feeds it runs (1Password "
            "Environments, a process substitution); the checks that read it were skipped.",
}


class ProjectFilesCheck(Check):
    """Says what of the project was NOT read, so that the other checks' `ok` is never silently partial.

    dind-doctor reads only regular files whose real path is inside the project: a `.env` or `run.ps1` that
    is a symlink to a file outside the project (to /etc/shadow, say) is reported here and never read or
    printed; a FIFO (1Password Environments mounts `.env` files that way), a socket or a device is reported,
    never opened (opening a FIFO blocks). A compose file, Dockerfile, script or `.env` larger than 1 MiB is
    read only in its first MiB: reported as not read whole; past 256 MiB read in one run, further files are
    not read (each check that asked says so; this check lists those it saw). The walk looks at names first, so compose files,
    Dockerfiles, scripts and `.env` files anywhere in the tree come before data; it skips `.git`,
    `node_modules`, virtual environments and caches, and keeps at most 5,000 files: when it stops early,
    this check says how many files were left out and where. In a git checkout, a folder git ignores whole
    (a stale build/, a data folder) is not checked as the project's source: this check names those folders.

    Fix: point `--project` at the folder that holds the compose file and scripts (not at a data folder), or
    move data out of it; replace a link out of the project by the file itself.
    """

    id = "project-files"
    title = "every project file that matters was read whole"
    project_check = True

    def run(self, ctx: Context) -> list[Finding]:
        files = project_files(ctx)
        out = [f for f in (self._special(files, s.path, s.kind) for s in files.special) if f is not None]
        out.extend(self._big(files))
        if files.stop is not None:
            out.append(self._stopped(files))
        if files.over_budget:
            names = ", ".join(files.rel(p) for p in files.over_budget[:5])
            out.append(self.finding(
                Status.WARN, f"{len(files.over_budget)} file(s) NOT read: the run's read budget "
                             f"({files.max_total_bytes // 1048576} MiB) was spent (first: {names})",
                location=Location(files.rel(files.over_budget[0])),
                detail="Each file is read up to 1 MiB and kept for every check; past the budget the other "
                       "checks skipped these files.", evidence={"not read": len(files.over_budget)}))
        if not out:
            out.append(self.finding(Status.OK, f"{len(files.paths)} file(s) walked, every one readable; none of "
                                               f"the files that matter is larger than {MAX_BYTES // 1048576} MiB"))
        return out + self._git_scope(files)

    def _git_scope(self, files: ProjectFiles) -> list[Finding]:
        """What .gitignore took out of the walk, said (an `ok`: not a problem, but never silent)."""
        out = []
        if files.ignored is not None:
            trees = files.ignored
            shown = ", ".join(f"{name}/" for name in trees.folders) + (", ..." if trees.count > len(trees.folders)
                                                                        else "")
            out.append(self.finding(
                Status.OK, f"{trees.count} folder(s) git ignores were not checked as the project's source: {shown}",
                detail="A folder .gitignore excludes whole is build output, downloads or data: its files are not "
                       "checked (a stale build/ copy would be reported twice). Its .env files, Dockerfiles, compose "
                       "files and scripts are still looked at for what an image bakes in (.dockerignore decides "
                       "that, not .gitignore) and for masking, and a file a compose file or script names is read "
                       "wherever it is." + (" The read budget ran out inside them: not all were seen."
                                            if trees.partial else ""),
                evidence={"folders": trees.count, "files in them": trees.files_seen,
                          "kept by name": len(trees.kept)}))
        if files.git_note:
            out.append(self.finding(Status.OK, f"every folder was walked: {files.git_note}"))
        return out

    def _special(self, files: ProjectFiles, path: Path, kind: str) -> Finding | None:
        """A warning for a link out of the project, a FIFO, and any other non-regular file whose name
        matters (a socket named `.env`); a socket or device elsewhere is no project file: nothing."""
        if kind not in ("symlink-outside", "fifo") and tier(path.name) != 0:
            return None
        rel = files.rel(path)
        return self.finding(Status.WARN, REFUSALS[kind], location=Location(rel),
                            detail=WHY.get(kind, "Only regular files are read."), evidence={"kind": kind})

    def _big(self, files: ProjectFiles) -> list[Finding]:
        """Each file that matters (tier 0) larger than the read cap: stat only, no read."""
        out = []
        for path in files.paths:
            if tier(path.name) != 0:
                continue
            try:
                size = os.stat(path).st_size
            except OSError:
                continue
            if size > MAX_BYTES:
                rel = files.rel(path)
                # read to the end by backtick-continuation (project/script_tail.py)
                streamed = path.name.lower().endswith(SUFFIXES["powershell"])
                out.append(self.finding(
                    Status.WARN, f"{size / 1048576:.1f} MiB: NOT read whole, only its first "
                                 f"{MAX_BYTES // 1048576} MiB was checked"
                                 + (" (its line continuations were read to the end, streamed)" if streamed else ""),
                    location=Location(rel),
                    detail="The other checks saw only the head of this file: a problem further in is not "
                           "reported. A script or config file this large is usually generated or data."
                           + (" backtick-continuation streamed the rest line by line for the continuation "
                              "rules." if streamed else ""),
                    evidence={"size": size, "read": MAX_BYTES}))
        return out

    def _stopped(self, files: ProjectFiles) -> Finding:
        stop = files.stop
        assert stop is not None
        parts = []
        if stop.files_dropped:
            under = ", ".join(f"{folder}/ ({count})" for folder, count in stop.dropped_under)
            parts.append(f"{stop.files_dropped} of {stop.files_seen} files left out (the least likely to matter"
                         f", mostly under {under})")
        if stop.stopped_at:
            parts.append(f"stopped after {stop.entries_seen} entries, at {files.rel(Path(stop.stopped_at))}/: "
                         "the rest of the tree was not seen")
        if stop.too_deep:
            parts.append(f"{stop.too_deep} folder(s) deeper than {MAX_DEPTH} levels not entered")
        return self.finding(
            Status.WARN, "the walk stopped early: " + "; ".join(parts), location=Location("."),
            detail=f"dind-doctor keeps {files.max_files} files, compose files, Dockerfiles, scripts and .env "
                   "files first; the files left out were not checked.",
            evidence={"files_kept": stop.files_kept, "files_seen": stop.files_seen,
                      "entries_seen": stop.entries_seen},
            fixes=same_fix("Run dind-doctor with --project set to the folder of the compose file and scripts, "
                           "or move data folders out of the project."))
