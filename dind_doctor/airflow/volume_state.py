"""A code volume against its source folder, on the daemon in use: exists, stale, `.env` present and equal.

The comparison is the manifest one (names, sizes, SHA-256 of every file, dotfiles included) read through a
labelled helper that is created and never started. `.env` files are compared by hash: their values are
never read out of the volume, nor printed.
"""
from __future__ import annotations

from ..records import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..engine import manifest, volumes
from .volume_pairs import VolumePair

if TYPE_CHECKING:
    from ..context import Context


@dataclass(frozen=True)
class VolumeState:
    pair: VolumePair
    exists: bool
    volume_files: int = 0
    diff: manifest.Diff | None = None  # source folder (expected) vs volume; None without both
    env_files: tuple[tuple[str, str], ...] = ()  # (.env path in the folder, "equal" | "missing" | "differs")
    truncated: bool = False

    @property
    def stale(self) -> bool:
        """What runs is not what the folder holds: no volume, or files missing or changed in it."""
        return not self.exists or (self.diff is not None and not self.diff.clean)

    def verdict(self) -> str:
        if not self.exists:
            return "no such volume on this daemon (a task's first run would create it EMPTY)"
        if self.diff is None:
            return f"{self.volume_files} file(s); no source folder to compare with"
        if self.diff.clean:
            return f"in step with {self.pair.source}: {self.diff.same} file(s) identical (SHA-256)"
        return f"stale against {self.pair.source}: {self.diff.summary()}"


def is_env_file(rel: str) -> bool:
    name = rel.rsplit("/", 1)[-1].lower()
    return (name == ".env" or name.startswith(".env.")) and not name.endswith((".example", ".sample", ".template"))


def env_states(source: manifest.Manifest, volume: manifest.Manifest) -> tuple[tuple[str, str], ...]:
    states = []
    for rel, entry in source.entries.items():
        if is_env_file(rel):
            there = volume.entries.get(rel)
            states.append((rel, "missing" if there is None else "equal" if there == entry else "differs"))
    return tuple(states)


def volume_state(ctx: "Context", pair: VolumePair, source_manifest: manifest.Manifest | None = None) -> VolumeState:
    if volumes.inspect_volume(ctx, pair.volume) is None:
        return VolumeState(pair, False)
    volume_m = volumes.volume_manifest(ctx, pair.volume)
    if pair.source is None:
        return VolumeState(pair, True, len(volume_m), truncated=volume_m.truncated)
    source_m = source_manifest if source_manifest is not None else manifest.from_folder(pair.source)
    return VolumeState(pair, True, len(volume_m), manifest.compare(source_m, volume_m),
                       env_states(source_m, volume_m), volume_m.truncated or source_m.truncated)


def no_volume_needed(pair: VolumePair) -> str:
    """Said every time: the image already holds the code, so the volume can go."""
    image = f"The image {pair.image}" if pair.image else "The module's image"
    return (f"{image} already holds this code (its Dockerfile copies it to {pair.target}): the volume can go. "
            "Drop the Mount from the DAG (and the volume from the Airflow services), rebuild the image after "
            "each change, and pass credentials with private_environment= or env_file content; then nothing "
            "needs syncing.")


def folder_signature(folder: Path, limit: int = manifest.MAX_FILES) -> tuple[tuple[str, int, int], ...]:
    """(path, size, mtime) of every file, dotfiles included: cheap enough to poll (no hashing); a change
    here is what makes `--watch` compute hashes and sync."""
    import os

    found: list[tuple[str, int, int]] = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if d not in manifest.SKIPPED_DIRS)
        for name in sorted(files):
            if len(found) >= limit:
                return tuple(found)
            path = os.path.join(root, name)
            try:
                st = os.lstat(path)
            except OSError:
                continue
            found.append((os.path.relpath(path, folder), st.st_size, st.st_mtime_ns))
    return tuple(found)
