"""What feeds the masking boundary: every value the project and the environment hold.

`project_masker(ctx)` is built once per run from
- every .env-like file of the project walk (`.env`, `.env.*`, `*.env`) and every file a compose `env_file`
  or a script's `--env-file` names (when the walk holds it: nothing outside the project is read);
- compose `environment:` and `build.args` literals, map and list forms;
- `-e`/`--env`/`--build-arg` values, `$env:NAME = value`, `export NAME=value` and `set NAME=value` in
  scripts of every dialect and in Markdown;
- Dockerfile `ENV` and `ARG` defaults;
- the process environment's secret-named variables, and the userinfo of every URL in it (DOCKER_HOST).

Every file is read through the project walk's read-once cache and scanned once by regular expressions
that never backtrack across lines: linear in the size of the project.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Mapping

from .masking import Masker
from .secret_rules import is_secret_name

if TYPE_CHECKING:
    from .airflow.dags import DagFile
    from .context import Context
    from .project.dockerfile_model import Dockerfile
    from .project.project_model import ProjectModel

_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*")
_WORD = r"(?:[^\s\"'`;|&<>()]+|\"[^\"\n]*\"|'[^'\n]*')+"
_SCRIPT_VALUES = re.compile(
    rf"(?<![\w-])(?:-e|--env|--build-arg)(?:[ \t]+|=)(?P<arg>{_WORD})"
    rf"|(?:\$env:|\bexport[ \t]+|\bset[ \t]+\"?|^[ \t]*)(?P<name>[A-Za-z_]\w*)[ \t]*=[ \t]*(?P<value>{_WORD})",
    re.MULTILINE | re.IGNORECASE)
_ENV_FILE_ARG = re.compile(rf"(?<![\w-])--env-file(?:[ \t]+|=)(?P<path>{_WORD})")
_QUOTES = re.compile(r"\"([^\"\n]*)\"|'([^'\n]*)'")
SCRIPT_SUFFIXES = (".ps1", ".psm1", ".cmd", ".bat", ".sh", ".bash", ".md", ".markdown", ".mk")


def _unquote(word: str) -> str:
    return _QUOTES.sub(lambda m: m.group(1) if m.group(1) is not None else m.group(2), word)


def env_lines(masker: Masker, text: str) -> None:
    """A .env-like file, line by line (not python-dotenv: a value defined twice, a line that does not
    parse and a pasted PEM body must all be fed too)."""
    for raw in text.lstrip("\ufeff").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        key, eq, value = line.partition("=")
        key = key.strip()
        if key.startswith("export "):
            key = key[len("export "):].strip()
        if not eq or not _KEY.fullmatch(key):
            masker.add_value(None, line)  # not KEY=VALUE: a wrapped value, a pasted key body
            masker.add_value(None, key)  # ...which readers take for a key (`MIIE...==`)
            continue
        value = value.strip()
        masker.add_value(key, value)
        masker.add_value(key, _unquote(value))
        if " #" in value:  # an inline comment, for readers that strip it
            masker.add_value(key, value.split(" #", 1)[0].strip())


def script_values(masker: Masker, text: str) -> list[str]:
    """Feeds the values a script passes to containers; returns the `--env-file` paths it names."""
    for m in _SCRIPT_VALUES.finditer(_assigning_lines(text)):
        if m.group("arg") is not None:
            name, eq, value = _unquote(m.group("arg")).partition("=")
            if eq:
                masker.add_value(name, value)
        else:
            masker.add_value(m.group("name"), _unquote(m.group("value")))
    if "--env-file" not in text:
        return []
    return [_unquote(m.group("path")) for m in _ENV_FILE_ARG.finditer(text)]


def _assigning_lines(text: str) -> str:
    """The lines of `text` that hold a `=`, the only ones that can feed a value: no match of _SCRIPT_VALUES
    crosses a line, and a match feeds only when it holds a `=`. What a match checks before its start (line
    start, a word boundary, no `-` or word character) reads the same after a newline as at the text's
    start. The regex tries its branches at every position: most of a script or a Markdown file is skipped."""
    return "\n".join(line for line in text.split("\n") if "=" in line)


def dockerfile_values(masker: Masker, dockerfile: "Dockerfile") -> None:
    """ENV and ARG defaults: `ENV A=1 B="two words"`, the legacy `ENV KEY value`, `ARG NAME=default`."""
    for instr in dockerfile.instructions:
        if instr.keyword not in ("ENV", "ARG") or not instr.args:
            continue
        if instr.keyword == "ENV" and "=" not in instr.args[0] and len(instr.args) > 1:
            masker.add_value(instr.args[0], " ".join(instr.args[1:]))
            continue
        for word in instr.args:
            name, eq, value = word.partition("=")
            if eq:
                masker.add_value(name, value)


def dag_values(masker: Masker, dags: Iterable["DagFile"]) -> None:
    """Airflow DAGs: the literal `environment` and `private_environment` of each DockerOperator or
    @task.docker, and the literal defaults of environment reads (`os.getenv("DB_PASSWORD", "...")`)."""
    for dag in dags:
        for call in dag.calls:
            for arg_name, value in call.args.items():
                if value.env_var is not None and isinstance(value.env_default, str):
                    masker.add_value(value.env_var, value.env_default)
                entries = value.value if value.literal else value.entries
                if arg_name in ("environment", "private_environment") and isinstance(entries, Mapping):
                    for name, item in entries.items():
                        if isinstance(item, str):
                            masker.add_value("SECRET" if arg_name.startswith("private") else str(name), item)


def compose_values(masker: Masker, services: Mapping[str, Any]) -> None:
    """`environment:` and `build.args` of every service, in their map and list forms."""
    for service in services.values():
        build = service.get("build")
        for block in (service.get("environment"), build.get("args") if isinstance(build, dict) else None):
            if isinstance(block, Mapping):
                for name, value in block.items():
                    if value is not None and not isinstance(value, (dict, list)):
                        masker.add_value(str(name), str(value))
            elif isinstance(block, list):
                for item in block:
                    if isinstance(item, str):
                        name, eq, value = item.partition("=")
                        if eq:
                            masker.add_value(name, value)


def environment_values(masker: Masker, env: Mapping[str, str]) -> None:
    """The process environment: secret-named values, and URL userinfo in any value. Other values (PATH,
    HOSTNAME...) are not secrets, and a report is full of them."""
    for name, value in env.items():
        if not value:
            continue
        if is_secret_name(name):
            masker.add_value(name, value)
        else:
            masker.add_userinfo(value)


def environment_masker(env: Mapping[str, str]) -> Masker:
    """A Masker fed with the process environment only: for what is printed before, or without, a run."""
    masker = Masker()
    environment_values(masker, env)
    return masker


def feed_project(masker: Masker, model: "ProjectModel") -> None:
    """Everything the project's files hold (see the module docstring), read through the project model
    (the parsers the checks use, each file parsed once per run). Only files of the walk are read."""
    from .project.file_names import is_dockerfile_name, is_env_name
    from .project.scripts import SUFFIXES

    files = model.files
    walked = files.walked  # with the .env files of the folders git ignores: their values are masked too
    # direnv's .envrc holds `export KEY=value` lines, the same values under another name.
    def holds_env(name: str) -> bool:
        return is_env_name(name) or name == ".envrc"

    env_files = set(files.with_name(holds_env))
    env_files.update(p for p in files.ignored_paths if holds_env(p.name))
    for c in model.compose:
        if c.error:
            continue
        compose_values(masker, c.raw_services)
        env_files.update(ref.path for ref in c.env_files if ref.path in walked)
    for path in files.with_name(is_dockerfile_name):
        parsed = model.dockerfiles.get(path)
        if parsed is not None:
            dockerfile_values(masker, parsed)
    dag_values(masker, model.dags)

    def env_file(named: str, folder: Path) -> None:
        for candidate in (folder / named, files.root / named):
            if candidate in walked:
                env_files.add(candidate)

    # Scripts: the docker commands as each dialect's shell reads them (the checks' reader), then the
    # assignments and --build-arg values no docker command holds, in the same sources and in scripts
    # the dialect readers do not take (a Makefile, a script named without a suffix).
    scanned: set[Path] = set()
    named_in: dict[str, list[str]] = {}  # a text met again (one file read by two dialects) is scanned once

    def script_env_files(text: str) -> list[str]:
        if text not in named_in:
            named_in[text] = script_values(masker, text)
        return named_in[text]

    for dialect in SUFFIXES:
        for source in model.scripts.of(dialect).sources:
            for cmd in source.docker_commands:
                masker.add_env(cmd.env)
                for named in cmd.env_files + cmd.compose_env_files:
                    env_file(named, source.path.parent)
            for named in script_env_files(source.text):
                env_file(named, source.path.parent)
            scanned.add(source.path)
    for path in files.with_name(lambda name: name.lower().endswith(SCRIPT_SUFFIXES) or "." not in name):
        lower = path.name.lower()
        if path not in scanned and (lower.endswith(SCRIPT_SUFFIXES) or lower == "makefile"
                                    or files.head(path, 2) == b"#!"):  # a name without a dot: a shebang?
            content = files.read(path)
            if content.usable:
                for named in script_env_files(content.text):
                    env_file(named, path.parent)
    for path in env_files:
        content = files.read(path)
        if content.usable:
            env_lines(masker, content.text)


def project_masker(ctx: "Context", project: bool = True) -> Masker:
    """The run's Masker, built once: fed with the process environment and, when `project`, with the
    project's files. Commands with no project of their own (translate, sync-volume) pass False."""
    def build() -> Masker:
        masker = Masker()
        environment_values(masker, ctx.env)
        if project:
            try:
                feed_project(masker, ctx.project_model)
            except Exception as exc:  # a reader's bug must not stop the run; the runner reports it
                masker.problem = f"{type(exc).__name__}: {exc}"
        return masker

    return ctx.memo("masker" if project else "masker (environment)", build)
