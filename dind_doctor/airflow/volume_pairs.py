"""Which folder of this machine each code volume should mirror: the (volume, source folder) pairs that the
live airflow-volume-content check compares and `dind-doctor sync-volume` (no arguments) keeps in step.

A pair starts from a named volume mounted where an image holds code:
- a DAG's `Mount(source=VOLUME, target=T, type="volume")` of a task whose `image=` the project builds: the
  build's Dockerfile says which context folder lands in T (`WORKDIR /home/app` + `COPY app/ .`);
- a compose service that builds its image and mounts a named volume over such a path (the seed);
- failing a build, a hand-made sync in a script (`-v SRC:/source -v VOLUME:/mnt ... cp`) names the folder;
- failing that, a folder of the project named like the mount path's last part (`app` for /home/app).
Everything is read statically; a source folder must lie inside the project (its real path: a symlink or
a script naming a folder elsewhere leads nowhere), and is looked at here only to see that it exists.
"""
from __future__ import annotations

import os
from ..records import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..context import Context


@dataclass(frozen=True)
class VolumePair:
    volume: str  # the real name on the daemon
    target: str  # where the module container sees it
    source: Path | None  # the folder here whose content belongs in the volume; None when none was found
    how: str  # how the source was found (or why there is none), for the user
    used_by: tuple[str, ...]  # "dags/x.py:17", "compose.yaml service s"
    image: str | None = None  # the image that already holds the code, when known

    @property
    def mounted_by_a_dag(self) -> bool:
        """A DAG's Mount uses it (not only a compose service, whose `up` fills it from the image)."""
        return any(" service " not in user for user in self.used_by)


def _image_builds(ctx: "Context") -> dict[str, tuple[str, str]]:
    """image ref (normalized) -> (Dockerfile, build context) of the compose service that builds it."""
    from .project import compose_models, normalized_image

    builds: dict[str, tuple[str, str]] = {}
    for _, model in compose_models(ctx):
        for service in model.services.values():
            if service.build_context and service.dockerfile:
                builds.setdefault(normalized_image(service.image), (service.dockerfile, service.build_context))
    return builds


def _copied_to(ctx: "Context", build: tuple[str, str] | None, target: str) -> tuple[Path, str] | None:
    if build is None:
        return None
    dockerfile, context = build
    folder = ctx.project_model.dockerfiles.source_folder(Path(dockerfile), Path(context), target)
    if folder is None:
        return None
    return folder, f"{_shown(ctx, Path(dockerfile))} copies {_shown(ctx, folder)}/ to {target}"


def _shown(ctx: "Context", path: Path) -> str:
    try:
        return path.relative_to(ctx.project).as_posix()
    except ValueError:
        return str(path)


def _hand_source(ctx: "Context", volume: str) -> tuple[Path, str] | None:
    from .hand_sync import project_hand_syncs

    for sync in project_hand_syncs(ctx):
        if sync.volume != volume or not sync.source:
            continue
        raw = os.path.expanduser(os.path.expandvars(sync.source))
        folder = Path(raw) if os.path.isabs(raw) else (ctx.project / sync.rel).parent / raw
        if folder.is_dir():
            return folder.resolve(), f"{sync.rel}:{sync.line} copies {sync.source} into it by hand"
    return None


def _named_like(ctx: "Context", target: str, near: list[Path]) -> tuple[Path, str] | None:
    name = PurePosixPath(target).name
    if not name:
        return None
    for folder in near:
        candidate = folder / name
        if candidate.is_dir():
            return candidate.resolve(), f"a folder named like {target} ({_shown(ctx, candidate)})"
    return None


def volume_pairs(ctx: "Context") -> list[VolumePair]:
    """Every code volume of the project with its source folder, DAG mounts first, one pair per volume."""
    from ..project.safe_open import is_inside, real_root
    from .project import compose_models, dag_mounts, normalized_image

    builds = _image_builds(ctx)
    pairs: dict[str, VolumePair] = {}

    def add(volume: str, target: str, image: str | None, used_by: str, near: list[Path]) -> None:
        known = pairs.get(volume)
        if known is not None:
            pairs[volume] = VolumePair(known.volume, known.target, known.source, known.how,
                                       known.used_by + (used_by,), known.image or image)
            return
        found = _copied_to(ctx, builds.get(normalized_image(image)) if image else None, target) \
            or _hand_source(ctx, volume) or _named_like(ctx, target, near)
        source, how = found if found else (None, f"no build, hand sync or folder named like {target} says which "
                                                 "folder belongs in it")
        if source is not None and not is_inside(real_root(ctx.project), os.path.realpath(source)):
            # Only the project is read (no link or script leads dind-doctor elsewhere): the user names it.
            source, how = None, f"{how}, but that folder is outside the project: not read"
        pairs[volume] = VolumePair(volume, target, source, how, (used_by,), image)

    for dag, call, mount in dag_mounts(ctx, "volume"):
        name, target, image = mount.arg("source"), mount.arg("target"), call.arg("image")
        if name is None or not name.literal or not isinstance(name.value, str) or target is None \
                or not target.literal or not isinstance(target.value, str):
            continue
        image_ref = image.value if image is not None and image.literal and isinstance(image.value, str) else None
        add(name.value, target.value, image_ref, f"{dag.rel}:{name.line}", [ctx.project])
    for cf, model in compose_models(ctx):
        for service in model.services.values():
            if not service.build_context:
                continue
            for use in service.mounts:
                if use.kind == "volume" and use.source in model.volumes and not use.no_copy:
                    real = model.volumes[use.source]
                    if real in pairs or _copied_to(ctx, builds.get(normalized_image(service.image)), use.target):
                        add(real, use.target, service.image, f"{cf.rel} service {service.name}", [cf.dir])
    return list(pairs.values())
