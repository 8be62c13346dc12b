"""The per-run registry of what a run creates: containers, networks, volumes, files, folders, children.

Every resource is registered BEFORE it is created, under a name chosen up front (containers, networks and
volumes also carry the run's labels): when Ctrl-C or SIGTERM lands in the middle of a create, the cleanup
still knows what to look for. Once the cleanup starts the registry is closed: a check thread still running
after Ctrl-C gets RunClosed instead of creating a probe nobody would remove.
"""
from __future__ import annotations

import itertools
import os
import shutil
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

from ..labels import Owner, current_owner, is_dead, labels as label_set
from ..subprocesses import kill_group
from .errors import RunClosed

KINDS = ("container", "network", "volume", "path", "project")
SUB_FOLDER_PREFIX = ".dind-doctor-"  # a run's folders inside the user's folders (sub_folder)


class RunResources:
    def __init__(self, run_id: str) -> None:
        self.run_id = run_id
        self._cond = threading.Condition()
        self._closed = False
        self._in_flight = 0
        self._counter = itertools.count(1)
        self.registered: dict[str, list[str]] = {kind: [] for kind in KINDS}
        self.uncertain: set[tuple[str, str]] = set()  # a create interrupted or failed: may exist or not
        self.processes: list[Any] = []  # subprocess.Popen children, killed (with their group) first
        self.swept: list[str] = []  # folders of dead earlier runs removed on the way, one line each

    # -- naming --------------------------------------------------------------------------------------
    def labels(self, component: str) -> dict[str, str]:
        return label_set(component, self.run_id)

    def name(self, component: str) -> str:
        """A name for a container, network or volume of this run, unique within it."""
        return f"dind-doctor-{self.run_id}-{component}-{next(self._counter)}"

    @property
    def closed(self) -> bool:
        return self._closed

    # -- registering ---------------------------------------------------------------------------------
    @contextmanager
    def creating(self, kind: str, name: str) -> Iterator[str]:
        """Register `name` of `kind`, then let the caller create it. Refused (RunClosed) once the cleanup
        started. A create that did not return normally leaves the name 'uncertain': the cleanup looks
        for it again a moment later (the daemon may still be completing the request)."""
        assert kind in KINDS, kind
        with self._cond:
            if self._closed:
                raise RunClosed(f"the run is cleaning up: {kind} {name} is not created")
            self.registered[kind].append(name)
            self._in_flight += 1
        done = False
        try:
            yield name
            done = True
        finally:
            with self._cond:
                self._in_flight -= 1
                if not done:
                    self.uncertain.add((kind, name))
                self._cond.notify_all()

    def register(self, kind: str, name: str, by_child: bool = False) -> str:
        """Register a resource another process creates (compose, here or in a container): refused once
        closed. `by_child`: it may appear at any moment until that process ends, so the cleanup looks for
        it again a moment later if it is not there yet; settled() once the process has ended."""
        with self.creating(kind, name):
            pass
        if by_child:
            with self._cond:
                self.uncertain.add((kind, name))
        return name

    def settled(self, kind: str, name: str) -> None:
        """The process creating `name` has ended: what it made exists now (the label finds it), or never
        will; no need to wait for it at cleanup."""
        with self._cond:
            self.uncertain.discard((kind, name))

    def forget(self, kind: str, name: str) -> None:
        """`name` was removed by its creator: the cleanup need not look for it again."""
        with self._cond:
            if name in self.registered[kind]:
                self.registered[kind].remove(name)

    def track_process(self, process: Any) -> None:
        """A child that creates resources (docker compose, started by subprocesses.run in its own process
        group): the cleanup kills the group before removing anything, so it cannot create after the
        cleanup looked."""
        with self._cond:
            if self._closed:
                kill_group(process)
                raise RunClosed("the run is cleaning up: the child process was stopped")
            self.processes.append(process)

    def temp_dir(self, what: str) -> Path:
        """A private folder under the system's temp folder (never in the project), registered first."""
        return self._folder(Path(tempfile.gettempdir()), "dind-doctor-", what)

    def sub_folder(self, parent: Path) -> Path:
        """A folder of this run inside `parent` (a bind-mount probe must write where the mount is),
        registered before it is created and removed by the cleanup in every path."""
        return self._folder(parent, SUB_FOLDER_PREFIX, "probe")

    def sweep_sub_folders(self, parent: Path, prefix: str = SUB_FOLDER_PREFIX) -> None:
        """Remove the folders a run killed with -9 left in `parent` (sweep_dead_folders), saying so at the
        end of the run: where this run writes, or would have written."""
        self.swept += sweep_dead_folders(parent, prefix)

    def _folder(self, parent: Path, prefix: str, what: str) -> Path:
        """`<prefix><run id>-<what>-<n>-<owner token>`: the name says who made it, from the mkdir on."""
        self.sweep_sub_folders(parent, prefix)  # a dead run's folder of its own here goes first
        path = parent / f"{prefix}{self.run_id}-{what}-{next(self._counter)}-{current_owner().token()}"
        with self.creating("path", str(path)):
            path.mkdir(mode=0o700)
        return path

    # -- closing -------------------------------------------------------------------------------------
    def close(self, wait: float) -> None:
        """Refuse new creations, and give the ones in flight up to `wait` seconds to return."""
        deadline = time.monotonic() + wait
        with self._cond:
            self._closed = True
            while self._in_flight and time.monotonic() < deadline:
                self._cond.wait(max(0.0, deadline - time.monotonic()))
        for process in list(self.processes):
            kill_group(process)


def sweep_dead_folders(parent: Path, prefix: str) -> list[str]:
    """Remove the folders named `prefix`... in `parent` whose name's owner token names a process gone from
    this host; a folder without a token (another tool's, an older dind-doctor's) is never touched."""
    lines = []
    try:
        entries = [e for e in os.scandir(parent) if e.name.startswith(prefix) and e.is_dir(follow_symlinks=False)]
    except OSError:
        return []
    for entry in entries:
        owner = Owner.from_token(entry.name.rsplit("-", 1)[-1])
        if owner is not None and is_dead(owner):
            shutil.rmtree(entry.path, ignore_errors=True)
            lines.append(f"removed {entry.path}, left by a dind-doctor run (pid {owner.pid}, no longer running)")
    return lines
