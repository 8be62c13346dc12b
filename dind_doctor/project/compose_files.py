"""Find the project's compose files and read them as raw YAML, with line numbers.

`docker compose config` is not used here on purpose: it inlines every env_file's values into
`environment` (secrets) and drops the env_file paths. The raw YAML keeps the paths, which compose resolves
relative to the compose file's folder, on the client side.

Stable API (other checks build on it):
    compose_files(ctx) -> list[ComposeFile]            cached per Context
    find_compose_files(project, files=None) -> list[ComposeFile]
    load_compose(path, rel, text) -> ComposeFile
    is_compose_name(name), is_dockerfile_name(name), is_env_name(name) -> bool
    ComposeFile: path, rel, data (dict or None), error, services, line_of(*keys), env_files, builds
    EnvFileRef: compose, service, raw, path, required, line, interpolated
    BuildRef: compose, service, context, dockerfile, line
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .files import ProjectFiles

COMPOSE_NAME = re.compile(r"^(docker-)?compose(\.[\w.-]+)?\.ya?ml$", re.IGNORECASE)


def is_compose_name(name: str) -> bool:
    return bool(COMPOSE_NAME.match(name))


def is_dockerfile_name(name: str) -> bool:
    """Dockerfile, Containerfile, Dockerfile.<anything>, <anything>.dockerfile (any case)."""
    lower = name.lower()
    return lower in ("dockerfile", "containerfile") or lower.startswith("dockerfile.") or lower.endswith(".dockerfile")


def is_env_name(name: str) -> bool:
    """.env, .env.<anything>, <anything>.env (any case); examples (.env.example) included."""
    lower = name.lower()
    return lower == ".env" or lower.startswith(".env.") or lower.endswith(".env")


@dataclass(frozen=True)
class EnvFileRef:
    compose: Path
    service: str
    raw: str  # as written in the YAML
    path: Path  # resolved relative to the compose file's folder
    required: bool = True
    line: int | None = None
    interpolated: bool = False  # holds ${VAR}: the path depends on the environment


@dataclass(frozen=True)
class BuildRef:
    compose: Path
    service: str
    context: Path
    dockerfile: Path
    line: int | None = None
    remote: bool = False  # a git URL or another non-local context


@dataclass
class ComposeFile:
    path: Path
    rel: str
    data: dict | None = None
    error: str | None = None
    error_line: int | None = None
    node: Any = field(default=None, repr=False)  # the yaml node tree, for line numbers

    @property
    def folder(self) -> Path:
        return self.path.parent

    @property
    def services(self) -> dict[str, dict]:
        services = (self.data or {}).get("services") if isinstance(self.data, dict) else None
        if not isinstance(services, dict):
            return {}
        return {str(k): v for k, v in services.items() if isinstance(v, dict)}

    def line_of(self, *keys: Any) -> int | None:
        """1-based line of the node at services/.../key (str keys into mappings, int into sequences)."""
        node = self.node
        for key in keys:
            if node is None:
                return None
            if node.id == "mapping":
                node = next((v for k, v in node.value if getattr(k, "value", None) == key), None)
            elif node.id == "sequence" and isinstance(key, int) and 0 <= key < len(node.value):
                node = node.value[key]
            else:
                return None
        return node.start_mark.line + 1 if node is not None else None

    @property
    def env_files(self) -> list[EnvFileRef]:
        refs: list[EnvFileRef] = []
        for name, service in self.services.items():
            value = service.get("env_file")
            if value is None:
                continue
            items = value if isinstance(value, list) else [value]
            for i, item in enumerate(items):
                required = True
                if isinstance(item, dict):
                    raw = item.get("path")
                    required = item.get("required", True) is not False
                else:
                    raw = item
                if not isinstance(raw, str) or not raw.strip():
                    continue
                keys = ("services", name, "env_file") + ((i,) if isinstance(value, list) else ())
                refs.append(EnvFileRef(self.path, name, raw, resolve(self.folder, raw), required,
                                       self.line_of(*keys), "$" in raw))
        return refs

    @property
    def builds(self) -> list[BuildRef]:
        refs: list[BuildRef] = []
        for name, service in self.services.items():
            build = service.get("build")
            if build is None:
                continue
            if isinstance(build, str):
                context_raw, dockerfile_raw = build, "Dockerfile"
            elif isinstance(build, dict):
                context_raw = str(build.get("context", "."))
                dockerfile_raw = build.get("dockerfile") or "Dockerfile"
                if not isinstance(dockerfile_raw, str):
                    continue
            else:
                continue
            remote = "://" in context_raw or context_raw.startswith("git@")
            context = resolve(self.folder, context_raw)
            refs.append(BuildRef(self.path, name, context, resolve(context, dockerfile_raw),
                                 self.line_of("services", name, "build"), remote))
        return refs


def resolve(folder: Path, raw: str) -> Path:
    """A compose path made absolute the way compose does: relative to `folder`, ~ expanded, `..` and `.`
    folded (so that one file named two ways is one cache entry and one set of findings)."""
    expanded = Path(raw).expanduser() if raw.startswith("~") else Path(raw)
    return Path(os.path.normpath(expanded if expanded.is_absolute() else folder / expanded))


def load_compose(path: Path, rel: str, text: str) -> ComposeFile:
    import yaml

    result = ComposeFile(path, rel)
    try:
        loader = yaml.SafeLoader(text)
        try:
            node = loader.get_single_node()
            data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        result.error = f"not valid YAML: {getattr(exc, 'problem', None) or exc}"
        result.error_line = mark.line + 1 if mark is not None else None
        return result
    except (ValueError, RecursionError) as exc:
        result.error = f"not valid YAML: {exc}"
        return result
    if data is not None and not isinstance(data, dict):
        result.error = f"not a compose file: the top level is a {type(data).__name__}, not a mapping"
        return result
    result.data, result.node = data or {}, node
    return result


def find_compose_files(project: Path, files: ProjectFiles | None = None) -> list[ComposeFile]:
    files = files or ProjectFiles(project)
    found = []
    for path in files.matching(lambda p: is_compose_name(p.name)):
        content = files.read(path)
        if not content.usable:
            found.append(ComposeFile(path, content.rel, error=content.problem))
            continue
        found.append(load_compose(path, content.rel, content.text))
    return found


def compose_files(ctx) -> list[ComposeFile]:
    """The project's compose files, parsed once per Context (the compose part of ctx.project_model)."""
    return ctx.project_model.compose
