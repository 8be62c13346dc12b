"""Hand-made volume syncs in the project's scripts and README blocks: `docker run ... -v SRC:/source -v
VOL:/mnt busybox sh -c "cp -r /source/* /mnt/"`.

`/source/*` is expanded by the shell in the helper container, and `*` does not match names that start with
a dot: `.env` never arrives. `/source/.` copies everything. Either way the copy is stale after the next
edit. The (volume, source folder) pair such a command names is also what `sync-volume` with no arguments
uses when no build tells it. The commands come from the one reader of docker commands in scripts
(project/docker_commands, per shell dialect, through the ProjectModel's scripts part).
"""
from __future__ import annotations

import bisect
import re
from ..records import dataclass
from typing import TYPE_CHECKING, Iterable

if TYPE_CHECKING:
    from ..context import Context
    from ..project.docker_commands import DockerCommand
    from ..project.scripts import ScriptSource

# `cp [-flags] /dir/* /target` or `cp [-flags] /dir/. /target`, inside the command the container runs.
CP = re.compile(r"\bcp\s+(?:-[A-Za-z]+\s+)*[\"']?(?P<src>/[^\s\"'*]*?)/(?P<what>\*|\.)[\"']?\s+[\"']?(?P<dst>/[^\s\"';&|]*)")
DIALECTS = ("powershell", "cmd", "bash")


@dataclass(frozen=True)
class HandSync:
    rel: str
    line: int
    column: int
    skips_dotfiles: bool  # `/source/*`
    source: str | None  # the host folder mounted on the copy's source, as written
    volume: str | None  # the named volume mounted on the copy's target


def _mounted_on(command: "DockerCommand", path: str, named: bool) -> str | None:
    wanted = path.rstrip("/") or "/"
    for arg in command.mounts:
        if arg.mount.target.rstrip("/") == wanted and (arg.mount.is_named_volume if named else bool(arg.mount.source)):
            return arg.mount.source
    return None


def in_command(rel: str, command: "DockerCommand") -> Iterable[HandSync]:
    """The copies a `docker run`/`create` makes between two of its mounts."""
    if not command.starts_container:
        return
    starts, position = [], 0
    for word in command.words:  # the command's words as the container receives them, joined
        starts.append(position)
        position += len(word.value) + 1
    joined = " ".join(word.value for word in command.words)
    for match in CP.finditer(joined):
        word = command.words[bisect.bisect_right(starts, match.start()) - 1]
        yield HandSync(rel, word.line, word.column, match.group("what") == "*",
                       _mounted_on(command, match.group("src"), named=False),
                       _mounted_on(command, match.group("dst"), named=True))


def in_sources(sources: Iterable["ScriptSource"]) -> list[HandSync]:
    return [sync for source in sources for command in source.docker_commands
            for sync in in_command(source.rel, command)]


def project_hand_syncs(ctx: Context) -> list[HandSync]:
    """The project's hand-made syncs in every dialect's scripts and Markdown blocks, found once per run."""
    scripts = ctx.project_model.scripts
    return ctx.memo("airflow hand syncs", lambda: in_sources(s for d in DIALECTS for s in scripts.of(d).sources))
