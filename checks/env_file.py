"""env-file: the credentials in each compose env_file reach the module, and nowhere else."""
from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from dind_doctor.check import Check
from dind_doctor.context import Context
from dind_doctor.masking import quoted_shape
from dind_doctor.model import Finding, Location, Status, fixes, same_fix
from dind_doctor.project.compose_files import EnvFileRef, compose_files, is_dockerfile_name, is_env_name
from dind_doctor.project.build_context import copied_files, load_dockerignore
from dind_doctor.project.dotenv_lint import digest, is_example, lint
from dind_doctor.project.files import FileText, ProjectFiles, project_files
from dind_doctor.project.fixers import FixError, append_fixes, append_with_backup
from dind_doctor.project.gitattributes import work_tree_root

PROBE_COMPONENT = "env-probe"  # the created-by label of the live probe's containers
DOCKERIGNORE_HEADER = "# dind-doctor: credentials are passed at run time (env_file), never baked into the image"
# The probe script runs in the probe container: for each key it prints whether it is set, empty, holds a
# CR, and the sha256 of its value (compared in Python, never shown). `$$` is compose's escape for `$`.
PROBE_SCRIPT = ('for k in "$$@"; do eval "s=\\$${$$k+x}"; if [ -z "$$s" ]; then echo "$$k MISSING"; continue; fi; '
                'eval "v=\\$$$$k"; [ -z "$$v" ] && echo "$$k EMPTY"; '
                'case "$$v" in *"$$(printf \'\\r\')"*) echo "$$k CR";; esac; '
                'printf %s "$$v" | sha256sum | sed "s/ .*//;s/^/$$k HASH /"; done')


def is_secret_env(path: Path) -> bool:
    return is_env_name(path.name) and not is_example(path.name)


def example_for(env_path: Path) -> Path | None:
    for name in (env_path.name + ".example", ".env.example", env_path.name + ".sample", ".env.sample",
                 env_path.name + ".template", ".env.template", ".env.dist"):
        candidate = env_path.parent / name
        if candidate.is_file():
            return candidate
    return None


class EnvFile(Check):
    """Checks that the credentials in each compose `env_file` reach the module, and nowhere else.

    For every compose file of the project (sub-folders included) and every `env_file` in it, read from the
    raw YAML (`docker compose config` inlines the values and drops the paths): the file exists where compose
    looks (relative to the compose file, not to where you stand), it is UTF-8 without BOM (not the UTF-16
    of PowerShell 5.1's `>`), python-dotenv parses every line, no value holds a carriage return, no
    `export ` prefix and no spaces around `=` (which `docker run --env-file` rejects or keeps), no key
    twice, and every key listed in a `.env.example` next to it is present and not empty. Values are never
    printed: only keys, lengths and masks.

    Security: a `.env` tracked by git (its secrets are in the history) or not ignored, and a `.env` baked
    into an image: a Dockerfile `COPY app/ .` (or `COPY . .`) of a folder that holds `.env`, with no
    `.dockerignore` excluding it, puts the credentials in a layer that anyone with the image can read. Note
    that `.env` in .dockerignore only matches the context's top level: write `**/.env`.

    With an engine, a labelled probe container is started by `docker compose` with the same env_file and
    reports, for each needed key, whether it arrives, non-empty and without a CR, and whether its value
    equals what python-dotenv reads (compared by hash inside the probe; nothing is printed).

    Fix: create the file from `.env.example`, correct the lines named, `git rm --cached` a tracked `.env`,
    and add `**/.env` to `.dockerignore` (`dind-doctor check --fix` does that one, with a backup).
    """

    id = "env-file"
    title = "env_file credentials reach the module, and nowhere else"
    project_check = True
    time_limit = 60.0

    def run(self, ctx: Context) -> list[Finding]:
        files = project_files(ctx)
        findings: list[Finding] = []
        refs: list[EnvFileRef] = []
        for compose in compose_files(ctx):
            if compose.error:
                findings.append(self.finding(Status.WARN, f"{compose.rel}: {compose.error}: its env_file entries "
                                                          "cannot be checked",
                                             location=Location(compose.rel, compose.error_line)))
                continue
            refs.extend(compose.env_files)
        checked: dict[Path, tuple[EnvFileRef, dict]] = {}
        done: set[Path] = set()  # env files whose content is checked: once, however many services use them
        for ref in refs:
            found, parsed = self._check_ref(ctx, files, ref, done)
            findings.extend(found)
            if parsed is not None:
                checked[ref.path] = (ref, parsed)
        findings.extend(self._baked(ctx, files))
        findings.extend(self._git(ctx, files, sorted({r.path for r in refs if r.path.is_file()} |
                                                     {p for p in files.paths if is_secret_env(p)})))
        if checked and not ctx.engine_error:
            findings.extend(self._live(ctx, files, checked))
        if not findings:
            if not refs:
                return [self.finding(Status.SKIP, "no env_file in the project's compose files, and no .env "
                                                  "baked into an image")]
            findings.append(self.finding(Status.OK, f"{len(refs)} env_file entr{'y' if len(refs) == 1 else 'ies'}: "
                                                    "present, parsed, every needed key set"))
        return findings

    # -- one env_file -----------------------------------------------------------------------------
    def _check_ref(self, ctx: Context, files: ProjectFiles, ref: EnvFileRef,
                   done: set[Path]) -> tuple[list[Finding], dict | None]:
        """Findings about this reference (a missing file, per service), then, the first time the file is
        met, about its content."""
        compose_rel = files.rel(ref.compose)
        where = Location(compose_rel, ref.line)
        rel = files.rel(ref.path)
        if ref.interpolated:
            return [self.finding(Status.SKIP, f"env_file `{ref.raw}` depends on a variable: not checked",
                                 location=where)], None
        if not ref.path.exists():
            if not ref.required:
                return [], None
            example = example_for(ref.path)
            if example is not None:
                ex = files.rel(example)
                return [self.finding(
                    Status.SKIP, f"{rel} does not exist yet: create it from {ex} (service {ref.service})",
                    location=where,
                    detail=f"`docker compose up` stops with `env file {ref.path} not found` until it exists.",
                    fixes=fixes(bash=f"cp '{ex}' '{rel}'   # then fill in the values",
                                powershell=f"Copy-Item '{ex}' '{rel}'   # then fill in the values",
                                cmd=f'copy "{ex}" "{rel}"'))], None
            elsewhere = [files.rel(p) for p in files.paths if p.name == ref.path.name and p != ref.path]
            return [self.finding(
                Status.FAIL, f"env_file `{ref.raw}` of service {ref.service}: {rel} does not exist",
                location=where,
                detail="compose resolves env_file relative to the compose file's folder "
                       f"({files.rel(ref.compose.parent)}), not to where the command runs, and stops with "
                       f"`env file {ref.path} not found`."
                       + (f" A file of that name exists at: {', '.join(elsewhere[:5])}." if elsewhere else ""),
                fixes=same_fix(f"Create {rel}, or correct the env_file path at {compose_rel}:{ref.line}."))], None
        if ref.path.is_dir():
            return [self.finding(Status.FAIL, f"env_file `{ref.raw}` is a folder, not a file", location=where)], None
        if ref.path in done:
            return [], None
        done.add(ref.path)
        return self._content_findings(files, files.read(ref.path), ref, where)

    def _content_findings(self, files: ProjectFiles, c: FileText, ref: EnvFileRef,
                          where: Location) -> tuple[list[Finding], dict | None]:
        out: list[Finding] = []
        loc = Location(c.rel)
        if not c.usable:
            return [self.finding(Status.FAIL, f"cannot be read as a .env file: {c.problem}", location=loc,
                                 detail=f"Used by service {ref.service} ({where}).")], None
        if c.problem:  # not UTF-8
            out.append(self.finding(Status.FAIL, f"{c.problem}", location=Location(c.rel, c.bad_byte_line),
                                    detail="`docker run --env-file` refuses it (`invalid utf8 bytes at line N`) and "
                                           "values reach the module garbled. Save it as UTF-8.",
                                    # the code page named, as iconv does: PowerShell 7's Get-Content reads UTF-8
                                    fixes=fixes(powershell=f"$p = (Resolve-Path '{c.rel}').Path; [IO.File]::WriteAllText("
                                                           "$p, [IO.File]::ReadAllText($p, [Text.Encoding]::GetEncoding"
                                                           "(1252)), (New-Object Text.UTF8Encoding $false))",
                                                bash=f"iconv -f WINDOWS-1252 -t UTF-8 '{c.rel}' > '{c.rel}.tmp' && "
                                                     f"mv '{c.rel}.tmp' '{c.rel}'")))
        if c.utf16:
            out.append(self.finding(Status.FAIL, "UTF-16: compose reads every key with NUL bytes in it",
                                    location=Location(c.rel, 1),
                                    detail="Windows PowerShell 5.1 `>` and `Out-File` write UTF-16. The module gets "
                                           "none of its variables.",
                                    fixes=same_fix("Run `dind-doctor check line-endings --fix`, or re-save the file "
                                                   "as UTF-8.")))
            return out, None
        if c.bom:
            out.append(self.finding(Status.WARN, "starts with a UTF-8 BOM", location=Location(c.rel, 1, 1),
                                    detail="python-dotenv before 1.2.2 reads the first key as `\\ufeffKEY` and "
                                           "the module never sees it; `source .env` fails on the first line.",
                                    fixes=same_fix("Run `dind-doctor check line-endings --fix`.")))
        report = lint(c.text)
        severity = {"parse": Status.FAIL, "cr-value": Status.FAIL, "export": Status.WARN, "spaces": Status.WARN,
                    "duplicate": Status.WARN, "bad-key": Status.WARN, "crlf": Status.WARN}
        for issue in report.issues:
            out.append(self.finding(severity[issue.kind], f"{issue.message}",
                                    location=Location(c.rel, issue.line, issue.column),
                                    evidence={"key": issue.key} if issue.key else {},
                                    fixes=same_fix(ENV_FIXES[issue.kind].format(line=issue.line,
                                                                               key=issue.key or ""))))
        needed = self._needed(files, ref)
        for key in needed["keys"]:
            if key not in report.values:
                out.append(self.finding(Status.FAIL, f"`{key}` is missing (listed in {needed['from']})",
                                        location=Location(c.rel),
                                        fixes=same_fix(f"Add a line `{key}=...` to {c.rel}.")))
            elif not report.values[key]:
                out.append(self.finding(Status.FAIL, f"`{key}` is empty (the module needs it, "
                                                     f"{needed['from']})",
                                        location=Location(c.rel, report.lines[key]),
                                        fixes=same_fix(f"Give `{key}` a value at line {report.lines[key]}.")))
        if any(f.status is Status.FAIL and f.location and f.location.path == c.rel for f in out):
            return out, None
        return out, {"values": report.values, "needed": needed["keys"] or report.keys}

    @staticmethod
    def _needed(files: ProjectFiles, ref: EnvFileRef) -> dict:
        example = example_for(ref.path)
        if example is None:
            return {"keys": [], "from": None}
        content = files.read(example)
        return {"keys": lint(content.text).keys if content.usable else [], "from": example.name}

    # -- baked into an image ----------------------------------------------------------------------
    def _baked(self, ctx: Context, files: ProjectFiles) -> list[Finding]:
        builds: dict[Path, Path] = {}  # dockerfile -> context
        for compose in compose_files(ctx):
            for b in compose.builds if not compose.error else []:
                if not b.remote:
                    builds.setdefault(b.dockerfile, b.context)
        for path in files.paths:
            if is_dockerfile_name(path.name):
                builds.setdefault(path, path.parent)
        secrets = [p for p in files.paths if is_secret_env(p)]
        walked = set(files.paths)
        findings: list[Finding] = []
        to_ignore: dict[Path, set[str]] = {}

        def read_text(path: Path) -> str | None:
            content = files.read(path)
            return content.text if content.opened else None

        for dockerfile, context in builds.items():
            if not dockerfile.is_file() or not secrets:
                continue
            content = files.read(dockerfile) if dockerfile in walked else None
            parsed = ctx.project_model.dockerfiles.get(dockerfile) if content is not None else None
            if content is None or parsed is None:
                continue
            ignore = load_dockerignore(context, dockerfile, read_text)
            in_context = [p for p in secrets if context in p.parents]
            for instr in parsed.copies:
                baked = [p for p in copied_files(context, instr.copy_sources, in_context)
                         if not ignore.excluded(p.relative_to(context).as_posix())]
                if not baked:
                    continue
                names = ", ".join(files.rel(p) for p in baked)
                ignore_file = ignore.path or context / ".dockerignore"
                to_ignore.setdefault(ignore_file, set()).update(f"**/{p.name}" for p in baked)
                if ctx.fix:
                    continue
                findings.append(self.finding(
                    Status.FAIL, f"`{' '.join(instr.text.split())}` bakes {names} into the image",
                    location=Location(content.rel, instr.line),
                    detail=f"The build context is {files.rel(context)}; "
                           + (f"{files.rel(ignore.path)} does not exclude it" if ignore.path else
                              "it has no .dockerignore")
                           + ". The credentials end up in an image layer: anyone who can pull or `docker save` the "
                             "image reads them, even if a later step deletes the file. compose's env_file already "
                             "passes them at run time.",
                    evidence={"context": files.rel(context), "dockerignore": files.rel(ignore_file)},
                    fixes=append_fixes(files.rel(ignore_file), ["**/.env"])
                    + same_fix("Then rebuild (`docker compose build`): images built before still hold the file.")))
        if ctx.fix:
            for ignore_file, patterns in to_ignore.items():
                findings.append(self._add_ignore(ctx, files, ignore_file, sorted(patterns)))
        return findings

    def _add_ignore(self, ctx: Context, files: ProjectFiles, ignore_file: Path, patterns: list[str]) -> Finding:
        try:
            backup = append_with_backup(ctx, ignore_file, [DOCKERIGNORE_HEADER, *patterns])
        except FixError as exc:
            return self.finding(Status.FAIL, f"not fixed: {exc}", location=Location(files.rel(ignore_file)))
        return self.finding(Status.OK, f"fixed: {files.rel(ignore_file)} now excludes {', '.join(patterns)}",
                            location=Location(files.rel(ignore_file)),
                            evidence={"backup": backup or "none (new file)",
                                      "then": "rebuild: images built before still hold the file"})

    # -- git --------------------------------------------------------------------------------------
    def _git(self, ctx: Context, files: ProjectFiles, env_paths: list[Path]) -> list[Finding]:
        root = work_tree_root(files.root)
        git = shutil.which("git")
        if root is None or git is None or not env_paths:
            return []
        rels = [os.path.relpath(p, root) for p in env_paths]
        try:
            tracked = subprocess.run([git, "-C", str(root), "ls-files", "-z", "--", *rels], capture_output=True,
                                     timeout=ctx.timeout).stdout.decode("utf-8", "replace").split("\0")
            ignored = subprocess.run([git, "-C", str(root), "check-ignore", "-z", "--stdin"], capture_output=True,
                                     input="\0".join(rels).encode("utf-8"),
                                     timeout=ctx.timeout).stdout.decode("utf-8", "replace").split("\0")
        except (OSError, subprocess.SubprocessError):
            return []
        out = []
        for path, rel in zip(env_paths, rels):
            rel_posix = rel.replace(os.sep, "/")
            shown = files.rel(path)
            if rel_posix in tracked or rel in tracked:
                out.append(self.finding(
                    Status.FAIL, f"{shown} is tracked by git: its credentials are in the repository's history",
                    location=Location(shown),
                    detail="Anyone with a clone reads them, including from past commits. Untrack it, ignore it, "
                           "and rotate the credentials it held.",
                    fixes=same_fix(f"git rm --cached \"{rel_posix}\" && echo \"{rel_posix}\" >> .gitignore && "
                                   "git commit -m \"Stop tracking credentials\"   # then rotate them")))
            elif rel_posix not in ignored and rel not in ignored:
                out.append(self.finding(
                    Status.WARN, f"{shown} is not ignored by git: one `git add .` commits the credentials",
                    location=Location(shown),
                    fixes=append_fixes(str(root / ".gitignore"), [rel_posix])))
        return out

    # -- live -------------------------------------------------------------------------------------
    def _live(self, ctx: Context, files: ProjectFiles, checked: dict) -> list[Finding]:
        docker = shutil.which("docker", path=ctx.env.get("PATH"))
        if docker is None:
            return [self.finding(Status.SKIP, "live env_file probe skipped: no docker CLI (compose reads env_file on "
                                              "the client side)")]
        from dind_doctor import images
        from dind_doctor.labels import labels

        out = []
        image = images.probe_image(ctx.env)
        try:
            for path, (ref, parsed) in checked.items():
                keys = [k for k in parsed["needed"] if k and k.replace("_", "").isalnum() and not k[0].isdigit()]
                if not keys:
                    continue
                out.append(self._probe_one(ctx, files, docker, image, labels(PROBE_COMPONENT, ctx.run_id), ref,
                                           keys, parsed["values"]))
        finally:
            self._sweep(ctx)
        return out

    def _probe_one(self, ctx, files, docker, image, label_map, ref, keys, values) -> Finding:
        import json

        rel = files.rel(ref.path)
        compose = {"services": {"probe": {
            "image": image, "pull_policy": "never", "network_mode": "none", "labels": label_map,
            "env_file": [str(ref.path)], "entrypoint": ["sh", "-c", PROBE_SCRIPT, "probe", *keys]}}}
        project = f"dind-doctor-{ctx.run_id}"
        with tempfile.TemporaryDirectory(prefix="dind-doctor-env-") as tmp:
            spec = Path(tmp) / "compose.yaml"
            spec.write_text(json.dumps(compose), encoding="utf-8")  # JSON is YAML
            try:
                proc = subprocess.run([docker, "compose", "-p", project, "-f", str(spec), "run", "--rm", "-T",
                                       "--no-deps", "probe"], capture_output=True, timeout=max(ctx.timeout * 4, 20),
                                      env=dict(ctx.env), stdin=subprocess.DEVNULL)
            except (OSError, subprocess.SubprocessError) as exc:
                return self.finding(Status.SKIP, f"live env_file probe skipped: {exc}", location=Location(rel))
        output = proc.stdout.decode("utf-8", "replace")
        if proc.returncode != 0 and "HASH" not in output and "MISSING" not in output:
            err = proc.stderr.decode("utf-8", "replace").strip().splitlines()
            # compose's parse errors quote the offending line (`variable name "MIIE..."`): its shape only.
            return self.finding(Status.SKIP, f"live env_file probe could not run: {quoted_shape((err or ['?'])[0])[:200]}",
                                location=Location(rel))
        seen: dict[str, set] = {k: set() for k in keys}
        hashes: dict[str, str] = {}
        for line in output.splitlines():
            parts = line.split(" ", 2)
            if len(parts) >= 2 and parts[0] in seen:
                seen[parts[0]].add(parts[1])
                if parts[1] == "HASH" and len(parts) == 3:
                    hashes[parts[0]] = parts[2].strip()
        missing = [k for k in keys if "MISSING" in seen[k] or not seen[k]]
        empty = [k for k in keys if "EMPTY" in seen[k]]
        cr = [k for k in keys if "CR" in seen[k]]
        differ = [k for k in keys if k in hashes and values.get(k) is not None and hashes[k] != digest(values[k])]
        evidence = {"service": ref.service, "keys checked": len(keys), "probe": f"docker compose run ({image})"}
        if missing or empty or cr:
            parts = [f"missing: {', '.join(missing)}" if missing else "", f"empty: {', '.join(empty)}" if empty else "",
                     f"ending in CR: {', '.join(cr)}" if cr else ""]
            return self.finding(Status.FAIL, "through compose: " + "; ".join(p for p in parts if p),
                                location=Location(rel), evidence=evidence,
                                detail="A container started by `docker compose` with this env_file did not receive "
                                       "these keys as the module needs them.")
        if differ:
            return self.finding(Status.WARN, f"compose passes {', '.join(differ)} with a value different from "
                                             "what python-dotenv reads", location=Location(rel), evidence=evidence,
                                detail="Quotes, an inline comment or escapes are read differently: the module gets "
                                       "another value than the one you see when testing with python-dotenv.")
        return self.finding(Status.OK, f"{len(keys)} key(s) arrive in a container through compose, non-empty, "
                                       "without CR, equal to the file's values", location=Location(rel),
                            evidence=evidence)

    @staticmethod
    def _sweep(ctx: Context) -> None:
        """Remove what `docker compose run --rm` left behind (a probe that timed out): the containers of
        this run's env probes, filtered by the daemon, once after every probe."""
        from dind_doctor.labels import CREATED_BY, RUN_ID

        filters = {"label": [f"{RUN_ID}={ctx.run_id}", f"{CREATED_BY}={PROBE_COMPONENT}"]}
        try:
            for container in ctx.docker().containers.list(all=True, filters=filters):
                container.remove(force=True)
        except Exception:
            pass  # cleanup_run sweeps this invocation's labels at the end


ENV_FIXES = {
    "parse": "Line {line}: close the quote, or write KEY=value.",
    "export": "Line {line}: remove `export ` (compose and `--env-file` take plain KEY=value lines).",
    "spaces": "Line {line}: write `{key}=value` with no space around `=`.",
    "duplicate": "Line {line}: keep one definition of `{key}`.",
    "bad-key": "Line {line}: use letters, digits and `_` in the name.",
    "cr-value": "Line {line}: retype the value of `{key}`: an invisible carriage return sits inside it (VS Code shows "
                "it with \"Render Control Characters\").",
    "crlf": "Run `dind-doctor check line-endings --fix` (CRLF to LF, with a backup).",
}
