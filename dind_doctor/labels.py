"""Labels on everything dind-doctor creates: only what carries them is ever removed.

Besides the component and the run id, every label set names the process that owns the run (its pid, its
start time, and the host: boot id and PID namespace), so that a later run can tell a run whose process is
gone (killed with -9, a daemon that died mid-run) from a live one, and remove only the former's leftovers.
"""
from __future__ import annotations

import functools
import os
from .records import dataclass
from typing import Mapping

CREATED_BY = "io.dind-doctor.created-by"  # value: the component, e.g. "probe", "run-reference"
RUN_ID = "io.dind-doctor.run"  # value: one id per invocation, so a cleanup never touches another run
OWNER_HOST = "io.dind-doctor.owner-host"  # hostname / boot id / PID namespace of the owning process
OWNER_PID = "io.dind-doctor.owner-pid"
OWNER_STARTED = "io.dind-doctor.owner-started"  # the owning process's start time (epoch seconds)


@dataclass(frozen=True)
class Owner:
    host: str
    pid: int
    started: float

    def labels(self) -> dict[str, str]:
        return {OWNER_HOST: self.host, OWNER_PID: str(self.pid), OWNER_STARTED: f"{self.started:.2f}"}

    def token(self) -> str:
        """The owner in a file name (a folder is created in one step, its name with it: a run killed right
        after the mkdir still says who made it). The host as a short hash."""
        return f"p{self.pid}.{int(self.started * 100)}.{_host_hash(self.host)}"

    @classmethod
    def from_token(cls, token: str) -> "Owner | None":
        """The owner a token names; its host is this one's when the hash matches, else unknown."""
        try:
            pid, started, host_hash = token.split(".")
            here = current_owner().host
            host = here if host_hash == _host_hash(here) else f"another host ({host_hash})"
            return cls(host, int(pid.removeprefix("p")), int(started) / 100)
        except ValueError:
            return None

    @classmethod
    def from_labels(cls, labels: Mapping[str, str]) -> "Owner | None":
        """The owner a label set names; None for resources of an older dind-doctor (never swept)."""
        try:
            return cls(labels[OWNER_HOST], int(labels[OWNER_PID]), float(labels[OWNER_STARTED]))
        except (KeyError, ValueError):
            return None


def _host_hash(host: str) -> str:
    import hashlib

    return hashlib.sha256(host.encode()).hexdigest()[:10]


def _boot_id() -> str:
    try:
        with open("/proc/sys/kernel/random/boot_id", encoding="ascii") as fh:
            return fh.read().strip()
    except OSError:
        import psutil

        return f"boot-{psutil.boot_time():.0f}"


def _pid_namespace() -> str:
    # Two containers on one kernel share the boot id, not the PID namespace: a pid means something
    # only within its namespace.
    try:
        return os.readlink("/proc/self/ns/pid")
    except OSError:
        return ""


@functools.lru_cache(maxsize=None)
def current_owner() -> Owner:
    import socket  # here, like psutil: a run that never drives the engine never asks

    import psutil

    host = f"{socket.gethostname()}/{_boot_id()}/{_pid_namespace()}"
    return Owner(host, os.getpid(), psutil.Process().create_time())


def is_dead(owner: Owner, here: Owner | None = None) -> bool:
    """True only when `owner` ran on THIS host (same boot, same PID namespace) and its process is gone
    (no such pid, or the pid now belongs to a process started at another time). Another host: False."""
    import psutil

    here = here or current_owner()
    if owner.host != here.host:
        return False
    try:
        started = psutil.Process(owner.pid).create_time()
    except psutil.NoSuchProcess:
        return True
    except psutil.Error:
        return False  # cannot tell (access denied): never remove what may be live
    return abs(started - owner.started) > 1.0


def labels(component: str, run_id: str) -> dict[str, str]:
    return {CREATED_BY: component, RUN_ID: run_id, **current_owner().labels()}


def selector(run_id: str) -> dict[str, list[str]]:
    """A docker-py `filters` value matching what one invocation created."""
    return {"label": [f"{RUN_ID}={run_id}"]}
