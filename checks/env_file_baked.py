"""env-file, part 2: a `.env` baked into an image. A Dockerfile `COPY app/ .` (or `COPY . .`) of a folder
holding `.env`, with no `.dockerignore` excluding it, puts the credentials in a layer anyone with the image
reads. Reads the build references of the compose model and the Dockerfile model's COPY sources."""
from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from dind_doctor.model import Finding, Location, Status, same_fix
from dind_doctor.project.build_context import copied_files, load_dockerignore
from dind_doctor.project.dotenv_lint import is_example
from dind_doctor.project.file_names import is_dockerfile_name, is_env_name
from dind_doctor.project.files import ProjectFiles
from dind_doctor.project.fixers import FixError, append_fixes, append_with_backup

if TYPE_CHECKING:
    from dind_doctor.check import Check
    from dind_doctor.context import Context

DOCKERIGNORE_HEADER = "# dind-doctor: credentials are passed at run time (env_file), never baked into the image"


def is_secret_env(path: Path) -> bool:
    return is_env_name(path.name) and not is_example(path.name)


def build_pairs(ctx: "Context", files: ProjectFiles) -> dict[Path, Path]:
    """Dockerfile -> build context: the compose builds first (their context may differ from the folder),
    then every Dockerfile of the walk with its own folder as context."""
    builds: dict[Path, Path] = {}
    for project in ctx.project_model.compose:
        for build in project.builds:
            if not build.remote and build.dockerfile is not None and build.context is not None:
                builds.setdefault(build.dockerfile, build.context)
    for path in files.with_name(is_dockerfile_name):
        builds.setdefault(path, path.parent)
    return builds


def baked_findings(check: "Check", ctx: "Context", files: ProjectFiles) -> list[Finding]:
    # What an image bakes in is what .dockerignore leaves in the context: a .env in a folder git ignores too.
    secrets = [p for p in files.paths + files.ignored_paths if is_secret_env(p)]
    if not secrets:
        return []
    walked = files.walked
    findings: list[Finding] = []
    to_ignore: dict[Path, set[str]] = {}

    def read_text(path: Path) -> str | None:
        content = files.read(path)
        return content.text if content.opened else None

    for dockerfile, context in build_pairs(ctx, files).items():
        content = files.read(dockerfile) if dockerfile in walked else None
        parsed = ctx.project_model.dockerfiles.get(dockerfile) if content is not None else None
        if content is None or parsed is None:
            continue
        ignore = load_dockerignore(context, dockerfile, read_text)
        inside = os.path.normcase(os.path.join(context, ""))  # a string prefix: Path.parents compares part by part
        in_context = [p for p in secrets if os.path.normcase(p).startswith(inside)]
        for instr in parsed.copies:
            baked = [p for p in copied_files(context, instr.copy_sources, in_context)
                     if not ignore.excluded(p.relative_to(context).as_posix())]
            if not baked:
                continue
            ignore_file = ignore.path or context / ".dockerignore"
            to_ignore.setdefault(ignore_file, set()).update(f"**/{p.name}" for p in baked)
            if ctx.fix:
                continue
            findings.append(check.finding(
                Status.FAIL, f"`{' '.join(instr.text.split())}` bakes {', '.join(files.rel(p) for p in baked)} "
                             "into the image",
                location=Location(content.rel, instr.line),
                detail=f"The build context is {files.rel(context)}; "
                       + (f"{files.rel(ignore.path)} does not exclude it" if ignore.path else "it has no .dockerignore")
                       + ". The credentials end up in an image layer: anyone who can pull or `docker save` the image "
                         "reads them, even if a later step deletes the file. compose's env_file already passes them "
                         "at run time.",
                evidence={"context": files.rel(context), "dockerignore": files.rel(ignore_file)},
                fixes=append_fixes(files.rel(ignore_file), ["**/.env"])
                + same_fix("Then rebuild (`docker compose build`): images built before still hold the file.")))
    if ctx.fix:
        findings.extend(_add_ignore(check, ctx, files, path, sorted(p)) for path, p in to_ignore.items())
    return findings


def _add_ignore(check: "Check", ctx: "Context", files: ProjectFiles, ignore_file: Path, patterns: list[str]) -> Finding:
    try:
        backup = append_with_backup(ctx, ignore_file, [DOCKERIGNORE_HEADER, *patterns])
    except FixError as exc:
        return check.finding(Status.FAIL, f"not fixed: {exc}", location=Location(files.rel(ignore_file)))
    return check.finding(Status.OK, f"fixed: {files.rel(ignore_file)} now excludes {', '.join(patterns)}",
                         location=Location(files.rel(ignore_file)),
                         evidence={"backup": backup or "none (new file)",
                                   "then": "rebuild: images built before still hold the file"})
