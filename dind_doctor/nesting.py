"""Where am I, relative to the daemon? Host, DooD, DinD, remote — from several clues, never just one.

Also: this container's own id (cgroup v1, cgroup v2 via mountinfo, hostname as a last resort) and the
translation of a path of this container into the path the daemon sees (longest mount destination).
"""
from __future__ import annotations

import os
import re
from .records import dataclass, field
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any, Iterable, Mapping

from .model import Level

if TYPE_CHECKING:
    from .endpoint import Endpoint

_ID = r"([0-9a-f]{64})"
_CGROUP_PATTERNS = (
    re.compile(r"/docker/" + _ID),  # cgroup v1, cgroupfs driver
    re.compile(r"docker-" + _ID + r"\.scope"),  # systemd driver
    re.compile(r"/libpod-" + _ID),  # podman
    re.compile(r"/kubepods.*/(?:cri-containerd-|crio-|docker-)?" + _ID),
)
# cgroup v2 shows `0::/`; the container's own files are bind-mounted from the daemon's container dir.
_MOUNTINFO_PATTERN = re.compile(r"/containers/" + _ID + r"/(?:hostname|hosts|resolv\.conf)\b")


def id_from_cgroup(text: str) -> str | None:
    for line in text.splitlines():
        for pattern in _CGROUP_PATTERNS:
            m = pattern.search(line)
            if m:
                return m.group(1)
    return None


def id_from_mountinfo(text: str) -> str | None:
    for line in text.splitlines():
        m = _MOUNTINFO_PATTERN.search(line)
        if m:
            return m.group(1)
    return None


def root_fs_type(mountinfo: str) -> str | None:
    """The filesystem type of `/` from /proc/self/mountinfo (the last mount on `/` wins)."""
    fstype = None
    for line in mountinfo.splitlines():
        fields = line.split()
        if len(fields) > 4 and fields[4] == "/" and " - " in line:
            fstype = line.split(" - ", 1)[1].split()[0]
    return fstype


# Container engines give a container an overlay-like root; a machine or VM boots from a block device.
_CONTAINER_ROOTS = ("overlay", "fuse-overlayfs", "aufs", "btrfs", "zfs", "vfs", "shiftfs")


def _read(path: str) -> str:
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            return fh.read(1 << 20)
    except OSError:
        return ""


@dataclass(frozen=True)
class ContainerClues:
    in_container: bool
    container_id: str | None  # 64 hex when found in cgroup/mountinfo, else None
    id_source: str | None
    evidence: Mapping[str, Any]


def container_clues(root: str = "/") -> ContainerClues:
    """Read the filesystem clues that say we are in a container, and which one."""
    evidence: dict[str, Any] = {}
    for marker in ("/.dockerenv", "/run/.containerenv"):
        if os.path.exists(os.path.join(root, marker.lstrip("/"))):
            evidence[marker] = "present"
    cid, source = None, None
    cgroup = _read(os.path.join(root, "proc/self/cgroup"))
    cid = id_from_cgroup(cgroup)
    if cid:
        source = "/proc/self/cgroup"
    elif cgroup.strip():
        evidence["cgroup"] = "v2 (0::/)" if cgroup.strip().startswith("0::") else "no container id"
    mountinfo = _read(os.path.join(root, "proc/self/mountinfo"))
    if not cid:
        cid = id_from_mountinfo(mountinfo)
        source = "/proc/self/mountinfo" if cid else None
    if cid:
        evidence["container id"] = f"{cid[:12]} (from {source})"
    fstype = root_fs_type(mountinfo)
    if fstype:
        evidence["root filesystem"] = fstype
    # /.dockerenv alone is weak: machine images built from Docker images keep it. It counts only with
    # an overlay-like root filesystem (or when the root cannot be read).
    dockerenv = "/.dockerenv" in evidence and (fstype is None or fstype in _CONTAINER_ROOTS)
    if "/.dockerenv" in evidence and not dockerenv:
        evidence["/.dockerenv"] = f"present, but / is {fstype}: a machine built from an image, not a container"
    in_container = bool(dockerenv or "/run/.containerenv" in evidence or cid)
    return ContainerClues(in_container, cid, source, evidence)


@dataclass(frozen=True)
class NestingReport:
    level: Level
    in_container: bool
    container_id: str | None  # as the daemon knows it, when it does
    daemon_knows_me: bool
    privileged: bool | None  # from the daemon's inspect, when it knows this container
    mounts: tuple[Mapping[str, Any], ...] = ()  # this container's mounts, as the daemon reports them
    dockerd_here: bool = False  # a dockerd runs in this container's PID namespace
    evidence: Mapping[str, Any] = field(default_factory=dict)
    reason: str = ""


def _own_container(client: Any, clues: ContainerClues, timeout_host: str | None) -> Any:
    """Find this container among the daemon's: by id from cgroup/mountinfo, else by hostname."""
    candidates = [c for c in (clues.container_id, timeout_host) if c]
    for ref in candidates:
        try:
            container = client.containers.get(ref)
        except Exception:
            continue
        # A hostname match must be ours, not a same-named container elsewhere.
        if ref == clues.container_id or container.attrs.get("Config", {}).get("Hostname") == ref:
            return container
    return None


def detect(clues: ContainerClues, ep: "Endpoint | None", endpoint_error: str | None, client: Any,
           client_error: str | None = None) -> NestingReport:
    """The nesting level from the filesystem clues, the endpoint in use and a client of it (None when no
    daemon answers; `client_error` then says why)."""
    evidence: dict[str, Any] = dict(clues.evidence)
    evidence["endpoint"] = ep.display if ep else f"unresolved: {endpoint_error}"
    from .processes import running  # a dockerd in this PID namespace: a DinD container runs its own

    local_dockerd = running("dockerd") if clues.in_container else False
    if clues.in_container:
        evidence["dockerd in this container"] = "yes" if local_dockerd else "no"
    if client is None and client_error:
        evidence["daemon"] = client_error

    def report(level: Level, reason: str, own: Any = None) -> NestingReport:
        # The daemon knows this container only at dood (`own`: its container as the daemon reports it).
        if own is None:
            return NestingReport(level, clues.in_container, clues.container_id, False, None, evidence=evidence,
                                 dockerd_here=local_dockerd, reason=reason)
        attrs = own.attrs
        return NestingReport(level, clues.in_container, own.id, True,
                             bool(attrs.get("HostConfig", {}).get("Privileged")), tuple(attrs.get("Mounts") or ()),
                             evidence=evidence, dockerd_here=local_dockerd, reason=reason)

    if not clues.in_container:
        if ep is not None and not ep.is_local:
            return report(Level.REMOTE, f"not in a container; the daemon is at {ep.display}")
        return report(Level.HOST, "not in a container")

    import socket  # here: a run outside a container never asks

    own = _own_container(client, clues, socket.gethostname()) if client is not None else None
    if own is not None:
        evidence["daemon knows this container"] = f"{own.attrs.get('Name', '').lstrip('/')} ({own.id[:12]})"
        return report(Level.DOOD, "in a container, and the daemon in use is the one that runs it", own)
    if client is not None:
        evidence["daemon knows this container"] = "no"
        if not local_dockerd and ep is not None and not ep.is_local:
            return report(Level.REMOTE, f"in a container; the daemon at {ep.display} does not run it")
        which = " (a dockerd runs in this container)" if local_dockerd else " (a separate daemon, e.g. a dind sidecar)"
        return report(Level.DIND, "in a container; the daemon in use is not the one that runs it" + which)
    if local_dockerd:
        return report(Level.DIND, "in a container that runs its own dockerd (not answering)")
    return report(Level.CONTAINER, "in a container; no daemon answers, so the nesting cannot be told")


def daemon_path(path: str, mounts: Iterable[Mapping[str, Any]]) -> tuple[str | None, Mapping[str, Any] | None]:
    """Translate a path of this container into the path the daemon sees, through the mount whose
    destination is the longest prefix of it. Returns (daemon path or None, the mount used)."""
    target = PurePosixPath(path)
    best = None
    for mount in mounts:
        dest = PurePosixPath(mount.get("Destination", ""))
        if target == dest or dest in target.parents:
            if best is None or len(dest.parts) > len(PurePosixPath(best["Destination"]).parts):
                best = mount
    if best is None:
        return None, None
    rel = target.relative_to(PurePosixPath(best["Destination"]))
    if best.get("Type") != "bind":
        return None, best  # a named volume or tmpfs: no host path to hand to `-v`
    source = best.get("Source", "")
    return (str(PurePosixPath(source) / rel) if str(rel) != "." else source), best
