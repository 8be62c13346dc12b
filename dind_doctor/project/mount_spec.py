"""The ONE reader of mount specs: `docker run -v/--volume`, compose's short syntax (the same grammar),
`docker run --mount` and compose's long syntax, and `--tmpfs`/compose `tmpfs:`.

Drive-aware: `C:\\x:/y` and `C:/x:/y` are a Windows source and a target, not three fields; `//c/x` (Git
Bash's conversion-proof spelling) and `\\\\server\\share` are paths. A colon inside `${VAR:-default}`,
`$(...)` or PowerShell's `$env:NAME` separates nothing. A source that is not a path (compose-go's rule:
it starts with `.`, `/`, `~`, a drive or `\\\\`; in a script also a variable such as `${PWD}`) is a named
volume. Pure string work: the caller interpolates variables and makes sources absolute (project.paths).
"""
from __future__ import annotations

from ..records import dataclass
from typing import Any, Mapping

from .host_paths import is_path_like

# kind: "bind", "volume" (named), "anonymous" (a volume without a name), "tmpfs", "npipe", "image", "cluster"
KINDS = ("bind", "volume", "anonymous", "tmpfs", "npipe", "image", "cluster")


@dataclass(frozen=True)
class MountSpec:
    kind: str
    source: str  # as written (a path, a volume name) or "" (anonymous, tmpfs)
    target: str
    read_only: bool = False
    no_copy: bool = False
    options: tuple[str, ...] = ()  # the mode field's options (`ro`, `z`, `rshared`...) or --mount's keys
    syntax: str = "short"  # "short" (-v, compose short), "mount" (--mount), "long" (compose long), "tmpfs"

    @property
    def is_bind(self) -> bool:
        return self.kind == "bind"

    @property
    def is_named_volume(self) -> bool:
        return self.kind == "volume" and bool(self.source)


def _fields(spec: str) -> list[str]:
    """`spec` split at the colons that separate fields."""
    if "$" not in spec:  # no ${...}, $(...) or $env: (most specs): str.split, and a drive letter joined back
        return _split_drives(spec.split(":"))
    fields: list[str] = []
    current: list[str] = []
    depth = 0  # inside ${...} or $(...)
    i, n = 0, len(spec)
    while i < n:
        char = spec[i]
        if depth == 0 and char == ":":
            field = "".join(current)
            drive = len(field) == 1 and field.isalpha() and i + 1 < n and spec[i + 1] in "\\/"
            ps_scope = field.lower().endswith("$env")  # PowerShell `$env:NAME`
            if not drive and not ps_scope:
                fields.append(field)
                current = []
                i += 1
                continue
        if char == "$" and i + 1 < n and spec[i + 1] in "{(":
            depth += 1
            current.append(spec[i:i + 2])
            i += 2
            continue
        if depth and char in "})":
            depth -= 1
        elif depth and char in "{(":
            depth += 1
        current.append(char)
        i += 1
    fields.append("".join(current))
    return fields


def _split_drives(parts: list[str]) -> list[str]:
    """`C` followed by `\\x` or `/x` is the drive of one field (`C:\\x`), as _fields reads it."""
    fields, i = [], 0
    while i < len(parts):
        part = parts[i]
        if len(part) == 1 and part.isalpha() and i + 1 < len(parts) and parts[i + 1][:1] in ("\\", "/"):
            part, i = part + ":" + parts[i + 1], i + 1
        fields.append(part)
        i += 1
    return fields


def parse_short(spec: str) -> MountSpec:
    """`[SOURCE:]TARGET[:OPTIONS]`, as `docker run -v` and compose's short syntax read it."""
    fields = _fields(spec)
    if len(fields) == 1:
        return MountSpec("anonymous", "", fields[0])
    source, target = fields[0], fields[1]
    options = tuple(o for o in ":".join(fields[2:]).split(",") if o)
    kind = "bind" if is_path_like(source) else "volume" if source else "anonymous"
    return MountSpec(kind, source, target, "ro" in options, "nocopy" in options, options)


def _truthy(value: str | None) -> bool:
    """`readonly`, `readonly=true`, `ro=1` are on; `readonly=false`, `ro=0` off (the docker CLI's rule)."""
    return value is None or value.strip().lower() in ("", "1", "true", "yes")


def parse_mount_option(value: str) -> MountSpec:
    """`type=bind,source=...,target=...[,readonly]`: comma-separated, CSV-quoted like the docker CLI reads
    it (`"source=C:\\a,b"` keeps its comma)."""
    import csv  # here: only a --mount option needs it

    try:
        parts = next(csv.reader([value]), [])
    except csv.Error:
        parts = value.split(",")
    keys: dict[str, str | None] = {}
    for part in parts:
        key, eq, val = part.partition("=")
        keys[key.strip().lower()] = val.strip() if eq else None
    kind = (keys.get("type") or "volume").lower()
    source = keys.get("source") or keys.get("src") or ""
    target = keys.get("target") or keys.get("destination") or keys.get("dst") or ""
    read_only = any(k in keys and _truthy(keys[k]) for k in ("readonly", "ro"))
    no_copy = "volume-nocopy" in keys and _truthy(keys["volume-nocopy"])
    if kind == "volume" and not source:
        kind = "anonymous"
    return MountSpec(kind, source, target, read_only, no_copy, tuple(sorted(keys)), "mount")


def parse_long(item: Mapping[str, Any]) -> MountSpec:
    """Compose's long syntax: `{type, source, target, read_only, volume: {nocopy}}`."""
    kind = str(item.get("type") or "volume").lower()
    source = str(item.get("source") or "")
    target = str(item.get("target") or "")
    volume = item.get("volume")
    no_copy = bool(volume.get("nocopy")) if isinstance(volume, Mapping) else False
    if kind == "volume" and not source:
        kind = "anonymous"
    return MountSpec(kind, source, target, item.get("read_only") is True, no_copy,
                     tuple(sorted(str(k) for k in item)), "long")


def parse_tmpfs(spec: str) -> MountSpec:
    """`--tmpfs /run:size=64m` and compose's `tmpfs: /run` (target, then options)."""
    target, _, options = spec.partition(":")
    return MountSpec("tmpfs", "", target, options=tuple(o for o in options.split(",") if o), syntax="tmpfs")


def parse_any(item: Any) -> MountSpec | None:
    """A compose `volumes:` entry in either syntax; None for what is not a mount spec."""
    if isinstance(item, str):
        return parse_short(item)
    if isinstance(item, Mapping):
        return parse_long(item)
    return None


def parse_flag(flag: str, value: str) -> MountSpec:
    """The value of a `docker run` flag: `-v`/`--volume`, `--mount` or `--tmpfs`."""
    if flag == "--mount":
        return parse_mount_option(value)
    if flag == "--tmpfs":
        return parse_tmpfs(value)
    return parse_short(value)
