"""Volumes and images as the daemon in use holds them, read through labelled helper containers.

A helper container is created and never started: `docker cp` (get_archive/put_archive) works on a created
container, volumes included, so no shell or tool is needed in the image, and nothing of the user's image
runs. Every helper carries this invocation's labels and is removed in `finally` (Ctrl-C included); a
volume is mounted only after it was seen to exist, so that looking at it never creates it.
"""
from __future__ import annotations

import contextlib
import re
from ..records import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, Iterator

from . import manifest
from .errors import ProbeError, as_dict, as_list, daemon_reason, is_not_found
from .probes import labelled_container

if TYPE_CHECKING:
    from ..context import Context

HELPER_MOUNT = "/dind-doctor-volume"
_NEVER_RUN = ["/dind-doctor-helper-is-never-started"]


@dataclass(frozen=True)
class VolumeInfo:
    name: str
    created: datetime | None
    driver: str
    labels: dict


def parse_time(text: str | None) -> datetime | None:
    """Docker's timestamps: RFC 3339 with up to nanoseconds, `Z` or an offset."""
    if not text:
        return None
    m = re.match(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)?$", text.strip())
    if not m:
        return None
    micro = (m.group(2) or "0")[:6].ljust(6, "0")
    zone = m.group(3) or "Z"
    stamp = datetime.fromisoformat(f"{m.group(1)}.{micro}{'+00:00' if zone == 'Z' else zone}")
    return stamp.astimezone(timezone.utc)


def inspect_volume(ctx: "Context", name: str) -> VolumeInfo | None:
    """The volume, or None when the daemon in use has none of that name."""
    client = ctx.docker()
    try:
        attrs = client.api.inspect_volume(name)
    except Exception as exc:
        if is_not_found(exc):
            return None
        raise ProbeError(f"cannot inspect volume {name}: {daemon_reason(exc)}") from exc
    attrs = as_dict(attrs, f"inspect volume {name}")
    created = attrs.get("CreatedAt")
    labels = attrs.get("Labels") or {}
    return VolumeInfo(name, parse_time(created if isinstance(created, str) else None), str(attrs.get("Driver", "")),
                      dict(labels) if isinstance(labels, dict) else {})


def volume_users(ctx: "Context", name: str) -> list[str]:
    """`name (status)` of every container, running or not, that mounts the volume."""
    try:
        containers = ctx.docker().api.containers(all=True, filters={"volume": name})
    except Exception as exc:
        raise ProbeError(f"cannot list the containers of volume {name}: {daemon_reason(exc)}") from exc
    users = []
    for c in as_list(containers, f"list the containers of volume {name}"):
        c = as_dict(c, f"list the containers of volume {name}")
        names = c.get("Names") or ["?"]
        first = names[0] if isinstance(names, list) and names and isinstance(names[0], str) else "?"
        users.append(f"{first.lstrip('/')} ({c.get('State', '?')})")
    return users


def image_info(ctx: "Context", ref: str) -> dict[str, Any] | None:
    try:
        attrs = ctx.docker().api.inspect_image(ref)
    except Exception as exc:
        if is_not_found(exc):
            return None
        raise ProbeError(f"cannot inspect image {ref}: {daemon_reason(exc)}") from exc
    return dict(as_dict(attrs, f"inspect image {ref}"))


@contextlib.contextmanager
def helper(ctx: "Context", image: str | None = None, component: str = "volume-helper",
           **create_kwargs: Any) -> Iterator[Any]:
    """A created, never started, labelled container; removed on the way out whatever happens."""
    with labelled_container(ctx, image, [], component=component, what="a helper container",
                            entrypoint=_NEVER_RUN, **create_kwargs) as container:
        yield container


def volume_mount(name: str, target: str = HELPER_MOUNT, read_only: bool = True) -> Any:
    from docker.types import Mount

    # no_copy: a helper must never fill a volume with content of its own image.
    return Mount(target=target, source=name, type="volume", read_only=read_only, no_copy=True)


def archive_manifest(container: Any, path: str) -> manifest.Manifest | None:
    """The manifest of `path` in a (created) container, or None when the path does not exist there."""
    try:
        stream, _stat = container.get_archive(path)
        return manifest.from_tar(stream)
    except Exception as exc:
        if is_not_found(exc) and _still_there(container):
            return None
        raise ProbeError(f"cannot read {path} of a helper container: {daemon_reason(exc)}") from exc


def _still_there(container: Any) -> bool:
    """A 404 means "no such path" only while the helper exists; else it was removed under our feet."""
    try:
        container.reload()
        return True
    except Exception as exc:
        if is_not_found(exc):
            raise ProbeError("the helper container was removed mid-check (by someone else, or a daemon "
                             "restart)") from exc
        raise ProbeError(f"the daemon stopped answering mid-check: {daemon_reason(exc)}") from exc


def volume_manifest(ctx: "Context", name: str) -> manifest.Manifest:
    with helper(ctx, mounts=[volume_mount(name)]) as container:
        found = archive_manifest(container, HELPER_MOUNT)
    return found if found is not None else manifest.Manifest()


def image_manifest(ctx: "Context", image: str, path: str) -> manifest.Manifest | None:
    """What the image holds at `path` (what a first `up` copies into an empty volume); None if nothing."""
    with helper(ctx, image=image, component="image-helper") as container:
        return archive_manifest(container, path)
