"""Read the project's compose files into ComposeProject models, following `include:` and `extends:`.

`docker compose config` is not the source here on purpose: it inlines every env_file's values into
`environment` (secrets) and drops the env_file paths; and it must never see a file refused for its
aliases. The raw YAML keeps the paths, which compose resolves on the client side, relative to the file
that wrote them. Files are read through ProjectFiles (regular files inside the project, size-capped);
an `include:` or `extends: file:` outside the project is reported, not read.
"""
from __future__ import annotations

import sys
from ..records import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from .compose_model import ComposeProject, Origin, Problem, Service, project_name, real_volume_name
from .compose_services import Layer, build_service
from .file_names import is_compose_name
from .files import ProjectFiles
from .file_text import env_values
from .path_resolver import PathResolver
from .yaml_bounded import YamlDocument, YamlRefused, line_of, load_bounded

MAX_INCLUDE_DEPTH = 8


@dataclass
class Loaded:
    path: Path
    rel: str
    doc: YamlDocument | None  # None when refused or unreadable
    resolver: PathResolver
    problem: Problem | None = None

    @property
    def data(self) -> Mapping[str, Any]:
        data = self.doc.data if self.doc else None
        return data if isinstance(data, Mapping) else {}

    @property
    def services(self) -> Mapping[str, Any]:
        services = self.data.get("services")
        return services if isinstance(services, Mapping) else {}


@dataclass
class _Collect:
    services: dict[str, list[Layer]] = field(default_factory=dict)
    volumes: dict[str, Any] = field(default_factory=dict)
    files: list[Path] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


class ComposeLoader:
    """Loads each file once (an included or extended file shared by several projects is parsed once)."""

    def __init__(self, files: ProjectFiles, env: Mapping[str, str], platform: str = sys.platform,
                 project_name_option: str | None = None) -> None:
        self.files, self.env, self.platform = files, env, platform
        self.project_name_option = project_name_option
        self._loaded: dict[Path, Loaded] = {}

    # -- files ------------------------------------------------------------------------------------
    def dotenv(self, folder: Path) -> dict[str, str]:
        """The `.env` compose reads for a project in `folder` (its values are variables, never shown)."""
        path = folder / ".env"
        if not self.files.is_file(path):  # a FIFO `.env` (1Password) is not a file: never opened here
            return {}
        try:
            return env_values(self.files.read(path))
        except Exception:  # python-dotenv raises on little; a bad .env is env-file's finding, not ours
            return {}

    def scope(self, folder: Path) -> dict[str, str]:
        """Compose's variables for a project in `folder`: the environment over the project's .env."""
        return {**self.dotenv(folder), **self.env}

    def inside(self, path: Path) -> bool:
        root = self.files.root
        return path == root or root in path.parents

    def load(self, path: Path, scope: Mapping[str, str] | None = None) -> Loaded:
        cached = self._loaded.get(path)
        if cached is not None:
            return cached
        resolver = PathResolver(path.parent, self.scope(path.parent) if scope is None else scope, self.platform)
        rel = self.files.rel(path)
        loaded = Loaded(path, rel, None, resolver)
        content = self.files.read(path)
        if not content.usable:
            loaded.problem = Problem("yaml", f"{content.problem}", Origin(path))
        else:
            try:
                loaded.doc = load_bounded(content.text)
                if loaded.doc.data is not None and not isinstance(loaded.doc.data, Mapping):
                    loaded.problem = Problem("not-compose", f"not a compose file: the top level is a "
                                             f"{type(loaded.doc.data).__name__}, not a mapping", Origin(path, 1))
            except YamlRefused as exc:
                loaded.problem = Problem("alias-budget" if exc.budget else "yaml", str(exc), Origin(path, exc.line))
        self._loaded[path] = loaded
        return loaded

    # -- include ----------------------------------------------------------------------------------
    def _include(self, loaded: Loaded, into: _Collect, seen: tuple[Path, ...]) -> None:
        includes = loaded.data.get("include")
        for i, item in enumerate(includes if isinstance(includes, list) else []):
            raw_paths = item.get("path") if isinstance(item, Mapping) else item
            for raw in raw_paths if isinstance(raw_paths, list) else [raw_paths]:
                origin = Origin(loaded.path, line_of(loaded.doc.node if loaded.doc else None, "include", i))
                if not isinstance(raw, str):
                    continue
                resolved = loaded.resolver.resolve(raw)
                target = resolved.path
                if target is None or not self.inside(target):
                    into.problems.append(Problem("include", f"include `{raw}` is outside the project (or not a local "
                                                            "path): not read", origin))
                elif not self.files.is_file(target):
                    into.problems.append(Problem("include", f"include `{raw}`: {self.files.rel(target)} does not "
                                                            "exist (compose stops on it)", origin))
                elif target in seen or len(seen) > MAX_INCLUDE_DEPTH:
                    into.problems.append(Problem("include", f"include `{raw}` loops back to a file that includes "
                                                            "it", origin))
                else:
                    self._collect(self.load(target), into, seen + (target,))

    def _collect(self, loaded: Loaded, into: _Collect, seen: tuple[Path, ...]) -> None:
        into.files.append(loaded.path)
        if loaded.problem is not None:
            into.problems.append(loaded.problem)
            return
        self._include(loaded, into, seen)
        volumes = loaded.data.get("volumes")
        if isinstance(volumes, Mapping):
            for key, spec in volumes.items():
                into.volumes.setdefault(str(key), spec)
        for name in loaded.services:
            if str(name) in into.services:
                continue  # compose refuses a service defined twice across includes; the first one is kept
            into.services[str(name)] = self._layers(loaded, str(name), into, ())

    # -- extends ----------------------------------------------------------------------------------
    def _layers(self, loaded: Loaded, name: str, into: _Collect, chain: tuple[tuple[Path, str], ...]) -> list[Layer]:
        spec = loaded.services.get(name)
        spec = spec if isinstance(spec, Mapping) else {}
        node = loaded.doc.node if loaded.doc else None
        layer = Layer(name, spec, loaded.path, node, loaded.resolver)
        ext = spec.get("extends")
        if ext is None:
            return [layer]
        base_name, base_file = (ext, None) if isinstance(ext, str) else \
            (ext.get("service"), ext.get("file")) if isinstance(ext, Mapping) else (None, None)
        origin = layer.origin("extends")
        base = loaded
        if isinstance(base_file, str):
            target = loaded.resolver.resolve(base_file).path
            if target is None or not self.inside(target) or not self.files.is_file(target):
                into.problems.append(Problem("extends", f"service {name} extends `{base_file}`, which is not a file "
                                                        "in the project", origin))
                return [layer]
            # The base file's paths are relative to its own folder, interpolated with this project's values.
            base = self.load(target, loaded.resolver.scope)
            if base.problem is not None:
                into.problems.append(base.problem)
                return [layer]
            into.files.append(target)
        if not isinstance(base_name, str) or base_name not in base.services:
            into.problems.append(Problem("extends", f"service {name} extends `{base_name}`, which "
                                                    f"{base.rel} does not define", origin))
            return [layer]
        if (base.path, base_name) in chain or len(chain) > MAX_INCLUDE_DEPTH:
            into.problems.append(Problem("extends", f"service {name} extends itself through `{base_name}`", origin))
            return [layer]
        return self._layers(base, base_name, into, chain + ((loaded.path, name),)) + [layer]

    # -- the project ------------------------------------------------------------------------------
    def project(self, path: Path) -> ComposeProject:
        loaded = self.load(path)
        into = _Collect()
        self._collect(loaded, into, (path,))
        top_name = loaded.resolver.interpolate(str(loaded.data.get("name") or "")).text
        name = project_name(path.parent, top_name, loaded.resolver.scope, self.project_name_option)
        volumes = {key: real_volume_name(name, key, spec) for key, spec in into.volumes.items()}
        external = frozenset(k for k, v in into.volumes.items() if isinstance(v, Mapping) and v.get("external"))
        services: dict[str, Service] = {n: build_service(layers, name) for n, layers in into.services.items()}
        return ComposeProject(path, loaded.rel, name, volumes, external, services,
                              tuple(dict.fromkeys(into.files)), tuple(dict.fromkeys(into.problems)),
                              bool(top_name), raw=loaded.data, node=loaded.doc.node if loaded.doc else None,
                              raw_services={f"{layer.file}#{layer.name}": layer.spec
                                            for layers in into.services.values() for layer in layers})

    def included_by_others(self, paths: list[Path]) -> set[Path]:
        """Files that another compose file of the project includes: part of that project, not their own."""
        included: set[Path] = set()
        for path in paths:
            loaded = self.load(path)
            includes = loaded.data.get("include")
            for item in includes if isinstance(includes, list) else []:
                raw_paths = item.get("path") if isinstance(item, Mapping) else item
                for raw in raw_paths if isinstance(raw_paths, list) else [raw_paths]:
                    target = loaded.resolver.resolve(raw).path if isinstance(raw, str) else None
                    if target is not None and target != path:
                        included.add(target)
        return included


def load_projects(files: ProjectFiles, env: Mapping[str, str], platform: str = sys.platform,
                  project_name_option: str | None = None) -> list[ComposeProject]:
    """Every compose project of the walk: one per compose file, except files another one includes."""
    loader = ComposeLoader(files, env, platform, project_name_option)
    paths = sorted(files.with_name(is_compose_name))
    included = loader.included_by_others(paths)
    return [loader.project(p) for p in paths if p not in included]
