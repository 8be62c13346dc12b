"""Is a named volume stale? Pure logic over three manifests and two timestamps.

A named volume mounted on a folder the image also fills is copied from the image ONCE, while it is empty.
After a code change and a rebuild the volume still holds (and hides) the old copy: the volume differs
from the image at the mount path. That, not the timestamps, is the proof; timestamps only explain it.
"""
from __future__ import annotations

from ..records import dataclass
from datetime import datetime

from .manifest import Diff, Manifest, compare, is_dotfile


@dataclass(frozen=True)
class Assessment:
    verdict: str  # "stale", "differs-from-source", "empty", "fresh", "unknown"
    vs_image: Diff | None
    vs_source: Diff | None
    missing_dotfiles: tuple[str, ...]  # in the source folder, not in the volume
    volume_older_than_image: bool | None

    @property
    def stale(self) -> bool:
        return self.verdict == "stale"


def assess(volume: Manifest, image: Manifest | None, source: Manifest | None,
           volume_created: datetime | None = None, image_created: datetime | None = None) -> Assessment:
    # Volume timestamps have whole seconds: compare at that grain, or a volume filled by the very build
    # it came from would look older than it.
    older = None if volume_created is None or image_created is None else \
        volume_created.replace(microsecond=0) < image_created.replace(microsecond=0)
    vs_image = compare(image, volume) if image is not None and len(image) else None
    vs_source = compare(source, volume) if source is not None and len(source) else None
    dotfiles: tuple[str, ...] = ()
    if vs_source is not None:
        dotfiles = vs_source.missing_dotfiles
    if not len(volume):
        verdict = "empty"
    elif vs_image is not None and not vs_image.clean:
        verdict = "stale"
    elif vs_source is not None and not _clean_but_dotfiles(vs_source):
        # The volume matches the image (or there is none) but not the folder: the image is old too, or
        # the volume was filled by hand. Without an image to blame, it is what runs that is out of date.
        verdict = "stale" if vs_image is None else "differs-from-source"
    elif vs_image is None and vs_source is None:
        verdict = "unknown"
    else:
        verdict = "fresh"
    return Assessment(verdict, vs_image, vs_source, dotfiles, older)


def _clean_but_dotfiles(diff: Diff) -> bool:
    """Clean apart from missing dotfiles, which get their own finding."""
    return not diff.changed and all(is_dotfile(p) for p in diff.missing)
