"""`dind-doctor sync-volume` with no arguments: every code volume of the project, from its source folder.

The pairs come from the DAGs and compose files (volume_pairs). For each pair the volume is compared with
the folder first (hashes, dotfiles included); only a stale volume is copied (engine.sync: a tar streamed
into a labelled helper, then read back and compared). `--check` stops after the comparison; `--watch`
polls the folders' (name, size, mtime) and syncs when one changes, until Ctrl-C or its time bound.
"""
from __future__ import annotations

import signal
import time
from ..records import dataclass
from typing import TYPE_CHECKING, Any, Callable, Iterator

from .volume_pairs import VolumePair
from .volume_state import VolumeState, folder_signature, no_volume_needed, volume_state

if TYPE_CHECKING:
    from ..context import Context

Say = Callable[[str], None]


@dataclass(frozen=True)
class PairOutcome:
    pair: VolumePair
    ok: bool  # in step (after the sync when one ran)
    message: str


def describe(pair: VolumePair, ctx: "Context") -> str:
    source = pair.source
    shown = source.relative_to(ctx.project).as_posix() if source and source.is_relative_to(ctx.project) else source
    return f"{pair.volume} <- {shown or '?'} ({pair.how})"


def changes(state: VolumeState, keep_extra: bool) -> str:
    """What a sync changes, from the comparison made before it."""
    diff = state.diff
    if diff is None:
        return "nothing compared"
    parts = [f"{len(diff.changed)} changed", f"{len(diff.missing)} added"]
    if not keep_extra:
        parts.append(f"{len(diff.extra)} removed")
    names = list(diff.changed[:5]) + list(diff.missing[:5])
    return ", ".join(parts) + (f" ({', '.join(names)})" if names else "")


def one(ctx: "Context", pair: VolumePair, check_only: bool, keep_extra: bool) -> PairOutcome:
    from ..engine.sync import sync_volume

    if pair.source is None:
        return PairOutcome(pair, True, f"not synced: {pair.how}; name the folder: "
                                       f"dind-doctor sync-volume {pair.volume} FOLDER")
    state = volume_state(ctx, pair)
    if not state.exists:
        return PairOutcome(pair, False, f"{state.verdict()}; `docker compose up` creates it, then sync again "
                                        "(sync-volume creates nothing)")
    env_note = "".join(f"; {rel} {how}" for rel, how in state.env_files if how != "equal")
    if check_only or not state.stale and (keep_extra or not state.diff or not state.diff.extra):
        return PairOutcome(pair, not state.stale, state.verdict() + env_note)
    result = sync_volume(ctx, pair.volume, pair.source, keep_extra)
    verified = result.verify.clean and (keep_extra or not result.verify.extra)
    return PairOutcome(pair, verified,
                       f"synced: {changes(state, keep_extra)}; " + (
                           f"verified {result.verify.same} file(s) identical (SHA-256), {result.dotfiles} dotfile(s) "
                           "included" if verified else f"NOT verified: {result.verify.summary()}"))


def run_once(ctx: "Context", pairs: list[VolumePair], say: Say, check_only: bool, keep_extra: bool) -> bool:
    """Check or sync every pair; True when all are in step. Says the no-volume pattern once per image."""
    all_ok = True
    for pair in pairs:
        outcome = one(ctx, pair, check_only, keep_extra)
        all_ok &= outcome.ok
        say(f"{'ok   ' if outcome.ok else 'STALE' if check_only else 'FAIL '} {describe(pair, ctx)}")
        say(f"      {outcome.message}")
    for image in dict.fromkeys(p.image for p in pairs):
        pair = next(p for p in pairs if p.image == image)
        say(no_volume_needed(pair))
    return all_ok


@dataclass
class WatchBounds:
    interval: float = 2.0  # seconds between polls
    max_duration: float = 8 * 3600.0  # the watch stops by itself after this
    max_polls: int | None = None  # for tests: stop after this many polls


def watch(ctx: "Context", pairs: list[VolumePair], say: Say, keep_extra: bool, bounds: WatchBounds,
          clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep) -> int:
    """Poll the source folders; sync a pair when its folder changed (and once at the start). Returns the
    number of syncs. Ctrl-C (or SIGTERM) ends it cleanly; the caller's session removes the helpers."""
    watched = [p for p in pairs if p.source is not None]
    last: dict[str, Any] = {}
    syncs = 0
    start = clock()
    previous = signal.getsignal(signal.SIGTERM)

    def stop(*_: Any) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    try:
        for poll in _polls(bounds, start, clock):
            for pair in watched:
                assert pair.source is not None
                signature = folder_signature(pair.source)
                if last.get(pair.volume) == signature:
                    continue
                last[pair.volume] = signature
                outcome = one(ctx, pair, False, keep_extra)
                syncs += outcome.message.startswith("synced")
                say(f"{time.strftime('%H:%M:%S')} {pair.volume}: {outcome.message}")
            if bounds.max_polls is not None and poll + 1 >= bounds.max_polls:
                break
            sleep(bounds.interval)
        else:
            say(f"watch ended after {bounds.max_duration:.0f} s (--max-duration)")
    except KeyboardInterrupt:
        say("stopped watching (interrupted); the volumes keep what they hold")
    finally:
        signal.signal(signal.SIGTERM, previous)
    return syncs


def _polls(bounds: WatchBounds, start: float, clock: Callable[[], float]) -> Iterator[int]:
    poll = 0
    while clock() - start < bounds.max_duration:
        yield poll
        poll += 1

