"""env-file: the credentials in each compose env_file reach the module, and nowhere else."""
from __future__ import annotations

from pathlib import Path

from dind_doctor.check import Check
from dind_doctor.context import Context
from dind_doctor.model import Finding, Location, Status, fixes, same_fix
from dind_doctor.project.compose_model import ComposeProject, EnvFileRef
from dind_doctor.project.files import ProjectFiles

from .env_file_baked import baked_findings, is_secret_env
from .env_file_content import Parsed, content_findings, example_for
from .env_file_git import GitTags
from .env_file_probe import live_findings

# How a compose file that cannot be read (wholly or in part) is reported: compose stops on all but `yaml`
# problems the same way, and a refused alias bomb would take the machine down.
PROBLEM_STATUS = {"yaml": Status.WARN, "not-compose": Status.WARN, "alias-budget": Status.FAIL,
                  "include": Status.FAIL, "extends": Status.FAIL}


class EnvFile(Check):
    """Checks that the credentials in each compose `env_file` reach the module, and nowhere else.

    For every compose file of the project (sub-folders included, `include:` and `extends:` followed) and
    every `env_file` in it, read from the raw YAML (`docker compose config` inlines the values and drops the
    paths): the file exists where compose looks (relative to the compose file that names it, not to where
    you stand; `${VAR}` resolved from the environment, then the project's `.env`, as compose does). A
    missing file is a `fail` even when a `.env.example` sits beside it: `docker compose up` stops with
    `env file ... not found`; the fix creates it from the example. An entry with `required: false`
    (compose 2.24+) may be missing. The file is UTF-8 without BOM (not the UTF-16 of PowerShell 5.1's
    `>`), python-dotenv parses every line, no value holds a carriage return, no `export ` prefix and no
    spaces around `=` (which `docker run --env-file` rejects or keeps), no key twice, and every key listed
    in a `.env.example` next to it is present and not empty. Values are never printed: only keys, lengths
    and masks.

    Security: a `.env` tracked by git (its secrets are in the history) or not ignored, and a `.env` baked
    into an image: a Dockerfile `COPY app/ .` (or `COPY . .`) of a folder that holds `.env`, with no
    `.dockerignore` excluding it, puts the credentials in a layer that anyone with the image can read. Note
    that `.env` in .dockerignore only matches the context's top level: write `**/.env`.

    With an engine, the live probe reads what `docker compose` passes to the service's container (the
    project's `docker compose config`, compose's own reading of the env_file, shared with the volume
    checks): for each needed key, whether it arrives, non-empty and without a CR, and whether its value
    equals what python-dotenv reads (compared by hash; nothing is printed). A key the service's
    `environment:` or a later env_file sets is not judged against this file. A file of plain KEY=value
    lines only (no quote, `$`, backslash, `#`, space or CR) settles it without compose: both read it alike.

    Fix: create the file from `.env.example`, correct the lines named, `git rm --cached` a tracked `.env`,
    and add `**/.env` to `.dockerignore` (`dind-doctor check --fix` does that one, with a backup).
    """

    id = "env-file"
    title = "env_file credentials reach the module, and nowhere else"
    project_check = True
    time_limit = 60.0

    def warm(self, ctx: Context) -> None:
        from dind_doctor.compose_cli import resolved_projects

        from .env_file_probe import plain_file

        files = ctx.project_model.files  # compose is asked only where plain lines do not settle the probe
        resolved_projects(ctx, [p for p in ctx.project_model.compose if not p.error and any(
            r.checkable and r.path.is_file() and not plain_file(files, r.path) for r in p.env_files)], full=True)

    def run(self, ctx: Context) -> list[Finding]:
        files = ctx.project_model.files
        projects = ctx.project_model.compose
        refs = [ref for project in projects for ref in project.env_files]
        env_paths = {r.path for r in refs if r.checkable and r.path.is_file()}
        git = GitTags(files, sorted(env_paths | {p for p in files.paths if is_secret_env(p)}))  # lists meanwhile
        try:
            findings = self._problems(files, projects)
            checked: dict[Path, Parsed] = {}  # env files whose content passed: the live probe's input
            done: set[Path] = set()  # env files whose content is checked: once, however many services use them
            for ref in refs:
                found, parsed = self._check_ref(files, ref, done)
                findings.extend(found)
                if parsed is not None:
                    checked[ref.path] = parsed
            findings.extend(baked_findings(self, ctx, files))
            findings.extend(git.findings(self, files, ctx.timeout))
        finally:
            git.close()
        if checked and not ctx.engine_error:
            findings.extend(live_findings(self, ctx, files, list(checked.values())))
        if not findings:
            if not refs:
                return [self.finding(Status.SKIP, "no env_file in the project's compose files, and no .env "
                                                  "baked into an image")]
            findings.append(self.finding(Status.OK, f"{len(refs)} env_file entr{'y' if len(refs) == 1 else 'ies'}: "
                                                    "present, parsed, every needed key set"))
        return findings

    def _problems(self, files: ProjectFiles, projects: list[ComposeProject]) -> list[Finding]:
        """Compose files (or parts) that could not be read: their env_file entries are not checked."""
        seen = dict.fromkeys(p for project in projects for p in project.problems)
        return [self.finding(PROBLEM_STATUS.get(p.kind, Status.WARN),
                             f"{files.rel(p.origin.file)}: {p.message}: its env_file entries cannot be checked",
                             location=Location(files.rel(p.origin.file), p.origin.line))
                for p in seen]

    # -- one env_file reference -------------------------------------------------------------------
    def _check_ref(self, files: ProjectFiles, ref: EnvFileRef,
                   done: set[Path]) -> tuple[list[Finding], Parsed | None]:
        """Findings about this reference (a missing file, per service), then, the first time the file is
        met, about its content."""
        where = Location(files.rel(ref.compose), ref.line)
        if ref.resolved.error:
            return [self.finding(Status.FAIL, f"env_file `{ref.raw}` of service {ref.service}: compose stops: "
                                              f"{ref.resolved.error}", location=where)], None
        if not ref.checkable:
            return [self.finding(Status.SKIP, f"env_file `{ref.raw}` is a Windows path: it is checked on Windows "
                                              "only", location=where)], None
        if not ref.path.exists():
            return ([] if not ref.required else [self._missing(files, ref, where)]), None
        if ref.path.is_dir():
            return [self.finding(Status.FAIL, f"env_file `{ref.raw}` is a folder, not a file", location=where)], None
        if ref.path in done:
            return [], None
        done.add(ref.path)
        return content_findings(self, files, files.read(ref.path), ref, where)

    def _missing(self, files: ProjectFiles, ref: EnvFileRef, where: Location) -> Finding:
        rel = files.rel(ref.path)
        unset = (f" `{'`, `'.join(ref.resolved.missing)}` {'is' if len(ref.resolved.missing) == 1 else 'are'} not "
                 "set (neither in the environment nor in the project's .env): compose used an empty value."
                 if ref.resolved.missing else "")
        stops = f"`docker compose up` stops with `env file {ref.path} not found`."
        example = example_for(ref.path)
        if example is not None:
            ex = files.rel(example)
            return self.finding(
                Status.FAIL, f"{rel} does not exist: create it from {ex} (service {ref.service})", location=where,
                detail=stops + unset + " An entry written `{path: ..., required: false}` (compose 2.24+) may be "
                                       "missing; this one is required.",
                fixes=fixes(bash=f"cp '{ex}' '{rel}'   # then fill in the values",
                            powershell=f"Copy-Item '{ex}' '{rel}'   # then fill in the values",
                            cmd=f'copy "{ex}" "{rel}"'))
        elsewhere = [files.rel(p) for p in files.named(ref.path.name) if p != ref.path]
        return self.finding(
            Status.FAIL, f"env_file `{ref.raw}` of service {ref.service}: {rel} does not exist", location=where,
            detail=f"compose resolves env_file relative to the compose file's folder ({files.rel(ref.compose.parent)}), "
                   f"not to where the command runs, and stops: {stops}" + unset
                   + (f" A file of that name exists at: {', '.join(elsewhere[:5])}." if elsewhere else ""),
            fixes=same_fix(f"Create {rel}, or correct the env_file path at {where.path}:{ref.line}."))
