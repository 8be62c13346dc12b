"""`dind-doctor sync-volume`: copy a folder into a named volume the right way, then prove it.

The user's manual sync, `docker run -v vol:/mnt -v src:/source busybox cp -r /source/* /mnt/`, has two traps:
`*` skips dotfiles such as `.env`, and under Docker-out-of-Docker `-v src:/source` is looked up on the
daemon's host, where `src` may not exist (an empty folder is mounted instead). Here the client streams a
tar of the folder into a created-but-never-started labelled helper (`docker cp`), so the folder only has to
exist where dind-doctor runs, and the volume is then read back and compared hash by hash.
"""
from __future__ import annotations

import io
import tarfile
from ..records import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import DindDoctorError
from . import manifest, volumes
from .errors import ProbeError, as_dict, as_list, daemon_reason
from .probes import run_probe

if TYPE_CHECKING:
    from ..context import Context

# Removes everything, dotfiles included, but not `.` and `..` (globs that match nothing stay literal and
# `rm -f` ignores them).
_CLEAR = "rm -rf /v/* /v/.[!.]* /v/..?*"


class SyncError(DindDoctorError):
    """The sync cannot start or failed; the message says why."""


@dataclass(frozen=True)
class SyncResult:
    volume: str
    files: int
    dotfiles: int
    bytes: int
    cleared: bool
    users: tuple[str, ...]
    verify: manifest.Diff


def tar_folder(folder: Path) -> tuple[bytes, manifest.Manifest]:
    """A tar of the folder's CONTENT (dotfiles included, caches skipped), owned by root as `COPY` would."""
    expected = manifest.from_folder(folder)
    if expected.truncated:
        raise SyncError(f"{folder} holds more than {manifest.MAX_FILES} files or "
                        f"{manifest.MAX_BYTES // 2**20} MiB: not a code folder; copy it another way")
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for rel in expected.entries:
            info = tar.gettarinfo(str(folder / rel), arcname=rel)
            info.uid = info.gid = 0
            info.uname = info.gname = "root"
            if info.isfile():
                with open(folder / rel, "rb") as fh:
                    tar.addfile(info, fh)
            else:
                tar.addfile(info)
    return buffer.getvalue(), expected


def similar_volumes(ctx: "Context", name: str) -> list[str]:
    """Volumes whose name ends with `_<name>`: the compose-prefixed real name the user probably meant."""
    try:
        answer = as_dict(ctx.docker().api.volumes(), "list volumes")
        names = [str(as_dict(v, "list volumes").get("Name", "")) for v in as_list(answer.get("Volumes") or [], "list volumes")]
    except Exception:
        return []  # only a hint: the message that needs it is already written
    return sorted(n for n in names if n.endswith(f"_{name}"))


def sync_volume(ctx: "Context", volume: str, source: Path, keep_extra: bool = False) -> SyncResult:
    if not source.is_dir():
        raise SyncError(f"{source} is not a folder here")
    info = volumes.inspect_volume(ctx, volume)
    if info is None:
        hints = similar_volumes(ctx, volume)
        hint = f" Did you mean {' or '.join(hints)}? (compose prefixes volume names with the project)" if hints else ""
        raise SyncError(f"no volume {volume} on this daemon; nothing is created by sync-volume.{hint}")
    users = tuple(volumes.volume_users(ctx, volume))
    data, expected = tar_folder(source)
    cleared = False
    if not keep_extra:
        result = run_probe(ctx, ["sh", "-c", _CLEAR], component="sync-volume",
                           mounts=[volumes.volume_mount(volume, "/v", read_only=False)])
        if result.exit_code != 0:
            raise SyncError(f"clearing {volume} failed (exit {result.exit_code}): {result.output.strip()[-200:]}")
        cleared = True
    with volumes.helper(ctx, component="sync-volume",
                       mounts=[volumes.volume_mount(volume, read_only=False)]) as container:
        try:
            ok = container.put_archive(volumes.HELPER_MOUNT, data)
        except Exception as exc:
            raise ProbeError(f"copying into {volume} failed: {daemon_reason(exc)}") from exc
        if not ok:
            raise SyncError(f"the daemon refused the copy into {volume}")
        actual = volumes.archive_manifest(container, volumes.HELPER_MOUNT) or manifest.Manifest()
    diff = manifest.compare(expected, actual)
    return SyncResult(volume, len(expected), sum(1 for p in expected.entries if manifest.is_dotfile(p)),
                      sum(e.size for e in expected.entries.values()), cleared, users, diff)


