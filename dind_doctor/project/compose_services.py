"""One compose service, built from its layers: the service as written, over the services it `extends`.

Each layer keeps its own file: a path is resolved relative to the file that wrote it and interpolated with
that file's variables, and every reference keeps that file's line. Merging follows compose: a scalar of
the nearest layer wins (image, build, working_dir); `env_file` entries are appended (base first); mounts
are unique by target (the nearest layer's mount replaces a base's).
"""
from __future__ import annotations

import dataclasses
from ..records import dataclass
from pathlib import Path
from typing import Any, Mapping

from . import mount_spec
from .compose_model import BuildRef, EnvFileRef, Origin, Service, ServiceMount
from .host_paths import is_path_like, is_url
from .path_resolver import PathResolver
from .yaml_bounded import line_of


@dataclass(frozen=True)
class Layer:
    name: str  # the service's name in `file`
    spec: Mapping[str, Any]
    file: Path
    node: Any  # the file's YAML node tree (line numbers)
    resolver: PathResolver

    def origin(self, *keys: Any) -> Origin:
        return Origin(self.file, line_of(self.node, "services", self.name, *keys))


def _items(value: Any) -> list[tuple[Any, tuple[Any, ...]]]:
    """(item, key path below the field) of a scalar-or-list field."""
    if isinstance(value, list):
        return [(item, (i,)) for i, item in enumerate(value)]
    return [(value, ())] if value is not None else []


def env_file_refs(layer: Layer, service: str) -> list[EnvFileRef]:
    refs = []
    for item, keys in _items(layer.spec.get("env_file")):
        required = True
        raw = item
        if isinstance(item, Mapping):  # compose 2.24+: {path, required, format}
            raw, required = item.get("path"), item.get("required", True) is not False
        if not isinstance(raw, str) or not raw.strip():
            continue
        refs.append(EnvFileRef(service, raw, layer.resolver.resolve(raw), required,
                               layer.origin("env_file", *keys)))
    return refs


def build_ref(layer: Layer, service: str) -> BuildRef | None:
    build = layer.spec.get("build")
    if isinstance(build, str):
        context_raw, dockerfile_raw, inline = build, "Dockerfile", False
    elif isinstance(build, Mapping):
        context_raw = str(build.get("context") or ".")
        dockerfile_raw = build.get("dockerfile") or "Dockerfile"
        inline = "dockerfile_inline" in build and "dockerfile" not in build
        if not isinstance(dockerfile_raw, str):
            return None
    else:
        return None
    context = layer.resolver.resolve(context_raw)
    origin = layer.origin("build")
    if context.kind == "url" or is_url(context_raw):  # a git URL is remote: no local Dockerfile to read
        return BuildRef(service, context_raw, None, None, origin, remote=True)
    if context.path is None:
        return BuildRef(service, context_raw, None, None, origin)
    dockerfile = None if inline else layer.resolver.resolve(dockerfile_raw, base=context.path).path
    return BuildRef(service, context_raw, context.path, dockerfile, origin)


def mounts(layer: Layer) -> list[ServiceMount]:
    found = []
    for i, item in enumerate(layer.spec.get("volumes") or () if isinstance(layer.spec.get("volumes"), list) else ()):
        spec = mount_spec.parse_any(item)
        if spec is None:
            continue
        origin = layer.origin("volumes", i)
        target = layer.resolver.interpolate(spec.target).text
        source = layer.resolver.interpolate(spec.source).text if spec.source else ""
        kind = spec.kind
        if spec.syntax == "short":  # compose interpolates first, then reads the spec
            kind = "bind" if is_path_like(source) else "volume" if source else "anonymous"
        if kind == "bind":
            resolved = layer.resolver.resolve(spec.source)
            source = resolved.text
        found.append(ServiceMount(dataclasses.replace(spec, kind=kind, target=target), source, origin))
    for item, keys in _items(layer.spec.get("tmpfs")):
        if isinstance(item, str):
            found.append(ServiceMount(mount_spec.parse_tmpfs(item), "", layer.origin("tmpfs", *keys)))
    return found


def env_keys(value: Any) -> list[str]:
    if isinstance(value, Mapping):
        return [str(k) for k in value]
    if isinstance(value, list):
        return [str(item).split("=", 1)[0] for item in value]
    return []


def build_service(layers: list[Layer], project: str) -> Service:
    """`layers`: base first, the service as written last."""
    top = layers[-1]
    image = build = working_dir = None
    by_target: dict[str, ServiceMount] = {}
    refs: list[EnvFileRef] = []
    keys: list[str] = []
    for layer in layers:
        spec = layer.spec
        if spec.get("image"):
            image = layer.resolver.interpolate(str(spec["image"])).text
        if spec.get("build") is not None:
            build = build_ref(layer, top.name)
        if spec.get("working_dir"):
            working_dir = str(spec["working_dir"])
        refs.extend(env_file_refs(layer, top.name))
        keys.extend(env_keys(spec.get("environment")))
        for mount in mounts(layer):
            by_target.pop(mount.target, None)
            by_target[mount.target] = mount
    return Service(top.name, top.origin(), image or f"{project}-{top.name}", build, tuple(by_target.values()),
                   tuple(refs), tuple(dict.fromkeys(keys)), working_dir,
                   tuple(layer.origin() for layer in reversed(layers[:-1])))
