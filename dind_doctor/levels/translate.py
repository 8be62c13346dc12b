"""A path of the current level, translated into the path the daemon will look up for a bind mount.

Bind-mount sources are resolved by the DAEMON, on its own host. Where dind-doctor runs on that host the
path is the path. In a container driving the host's daemon (DooD), a path of this container means
something only through this container's own mounts: the mount whose destination is the longest prefix of
it, with that prefix replaced by the mount's source. Without one, the path exists only here (or in a named
volume) and the daemon will mount an empty, freshly created folder instead.
"""
from __future__ import annotations

import posixpath
from ..records import dataclass
from typing import Any, Mapping

from ..model import Level
from ..nesting import NestingReport, daemon_path


@dataclass(frozen=True)
class Translation:
    path: str  # as seen at this level
    daemon_path: str | None  # what to hand to the daemon for the same files; None when there is none
    reason: str
    mount: Mapping[str, Any] | None = None

    @property
    def same(self) -> bool:
        """The path means the same files on both sides: compose can pass it unchanged."""
        return self.daemon_path == self.path


def translate(path: str, report: NestingReport) -> Translation:
    path = posixpath.normpath(path) if path.startswith("/") else path
    level = report.level
    if level is Level.HOST:
        return Translation(path, path, "not in a container: the daemon reads this machine's paths")
    if level is Level.DIND:
        if report.dockerd_here:
            return Translation(path, path, "the daemon runs in this container: it reads this container's paths")
        return Translation(path, None, "the daemon runs in another container (a dind sidecar): it looks paths up "
                                       "in ITS filesystem; share the folder with it at the same path")
    if level is Level.REMOTE:
        return Translation(path, None, "the daemon is on another machine: paths are looked up there")
    if level is not Level.DOOD:
        return Translation(path, None, f"the daemon is unknown ({report.reason})")
    found, mount = daemon_path(path, report.mounts)
    if found is not None and mount is not None:
        return Translation(path, found, f"under this container's bind mount {mount.get('Source')} -> "
                                        f"{mount.get('Destination')}", mount)
    if mount is not None:
        name = mount.get("Name") or mount.get("Source") or "?"
        return Translation(path, None, f"inside the {mount.get('Type', 'volume')} {name} mounted on "
                                       f"{mount.get('Destination')}: it has no host path; mount {name} itself "
                                       f"({name}:<target>) instead of a bind", mount)
    return Translation(path, None, "in this container's own filesystem (under no mount): the daemon would "
                                   "create an empty folder of that name on its host instead")


def to_dict(t: Translation) -> dict[str, Any]:
    return {"path": t.path, "daemon_path": t.daemon_path, "reason": t.reason,
            "mount": {k: t.mount.get(k) for k in ("Type", "Source", "Destination", "Name") if k in t.mount}
            if t.mount else None}
