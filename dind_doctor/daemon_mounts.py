"""Does the daemon behind a local unix socket see this machine's folders exactly as this process does?

On Linux, the dockerd listening on the endpoint's socket is found from the kernel's own tables (the
socket's inode in /proc/net/unix, the process holding it among those named dockerd), and compared with
this process: the same mount namespace and the same root directory mean the daemon resolves a bind-mount
source at the very path seen here, so a probe container reading a sentinel could only confirm it. Anything
else (another OS, a TCP or SSH endpoint, a rootless or snap daemon in its own mount namespace, a daemon in
a container whose socket was mounted out, Docker Desktop's VM, /proc not readable) answers None: the
probe decides. Reads a few /proc files; never asks the daemon.
"""
from __future__ import annotations

import os
import sys

ACCEPTING = 0x10000  # /proc/net/unix Flags: a listening socket (__SO_ACCEPTCON)


def _listening_inode(paths: set[str], proc: str) -> str | None:
    try:
        with open(f"{proc}/net/unix", encoding="ascii", errors="replace") as fh:
            lines = fh.read().splitlines()[1:]
    except OSError:
        return None
    for line in lines:
        fields = line.split()
        if len(fields) >= 8 and fields[7] in paths and int(fields[3], 16) & ACCEPTING:
            return fields[6]
    return None


def _holder(inode: str, proc: str) -> int | None:
    """The pid of the dockerd holding socket `inode`."""
    wanted = f"socket:[{inode}]"
    try:
        entries = list(os.scandir(proc))
    except OSError:
        return None
    for entry in entries:
        if not entry.name.isdigit():
            continue
        try:
            with open(f"{entry.path}/comm", encoding="utf-8", errors="replace") as fh:
                if fh.read().strip() != "dockerd":
                    continue
            if any(os.readlink(fd.path) == wanted for fd in os.scandir(f"{entry.path}/fd")):
                return int(entry.name)
        except OSError:  # gone, or not ours to look at
            continue
    return None


def shares_mounts(socket_path: str | None, proc: str = "/proc") -> str | None:
    """Why the daemon behind `socket_path` finds every folder at the path seen here, or None."""
    if sys.platform != "linux" or not socket_path:
        return None
    inode = _listening_inode({socket_path, os.path.realpath(socket_path)}, proc)
    pid = _holder(inode, proc) if inode else None
    if pid is None:
        return None
    try:
        same_ns = os.readlink(f"{proc}/{pid}/ns/mnt") == os.readlink(f"{proc}/self/ns/mnt")
        theirs, ours = os.stat(f"{proc}/{pid}/root"), os.stat(f"{proc}/self/root")
    except OSError:
        return None
    if not same_ns or (theirs.st_dev, theirs.st_ino) != (ours.st_dev, ours.st_ino):
        return None
    return (f"the daemon (dockerd, pid {pid}, listening on {socket_path}) runs in this process's mount namespace "
            "with the same root: it finds every folder at the path seen here")
