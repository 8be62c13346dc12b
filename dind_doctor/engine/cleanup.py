"""The ONE cleanup of what dind-doctor creates, and only that.

A run's cleanup closes its registry (nothing new is created past this point), kills its children, removes
its files and folders, then removes on the daemon everything carrying its run label AND every name it
registered (a create interrupted mid-flight may finish after the label listing: such names are looked up
again for a moment). Compose projects named after the run (run-reference's) go too, images only when asked.

It also sweeps what earlier runs left when their process is gone (kill -9, a daemon that died mid-run):
their labels name the owning process, and only a run whose process no longer exists on this host is
touched; a live run's resources never are.
"""
from __future__ import annotations

import shutil
import time
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable

from ..labels import RUN_ID, Owner, is_dead, selector
from ..records import dataclass, field
from .errors import daemon_reason, is_conflict, is_not_found

if TYPE_CHECKING:
    from ..context import Context
    from .resources import RunResources

COMPOSE_PROJECT = "com.docker.compose.project"
RETRY_SECONDS = (0.3, 0.7, 1.0)  # looking again for a name whose create was interrupted
CONFLICT_PAUSES = (0.05, 0.1, 0.2, 0.4, 0.8)  # a container another request is removing: until it is gone


@dataclass
class CleanupReport:
    removed: list[str] = field(default_factory=list)  # "container <name>"
    problems: list[str] = field(default_factory=list)  # what could not be removed, and why
    swept: list[str] = field(default_factory=list)  # one line per dead earlier run whose leftovers went


_Kind = tuple[str, Callable[..., list], Callable[[Any], str], Callable[[Any], Any], Callable[[str], Any]]


def _kinds(client: Any, images: bool) -> list[_Kind]:
    """(kind, listing, name, remover, lookup by name), containers first: what they use goes after them."""
    kinds: list[_Kind] = [
        ("container", lambda **k: client.containers.list(all=True, ignore_removed=True, **k), lambda c: c.name,
         lambda c: c.remove(force=True, v=True), client.containers.get),
        ("network", client.networks.list, lambda n: n.name, lambda n: n.remove(), client.networks.get),
        ("volume", client.volumes.list, lambda v: v.name, lambda v: v.remove(force=True), client.volumes.get),
    ]
    if images:
        # noprune: the untagged parents of a classic-builder image ARE its build cache (one per step, shared
        # by every run, unlabelled): pruning them made the next run re-run every step (a pip install).
        kinds.append(("image", client.images.list, lambda i: i.tags[0] if i.tags else i.short_id,
                      lambda i: client.images.remove(i.id, force=True, noprune=True), client.images.get))
    return kinds


def _filters(run_id: str, projects: Iterable[str]) -> list[dict]:
    return [selector(run_id)] + [{"label": [f"{COMPOSE_PROJECT}={p}"]} for p in projects]


def _together(calls: list[Callable[[], Any]]) -> list[Any]:
    """Each call's result (or the exception it raised), the calls made at the same time: the daemon serves
    them concurrently, so a pass costs about its slowest call instead of their sum. Each call keeps the
    client's timeout."""
    def outcome(call: Callable[[], Any]) -> Any:
        try:
            return call()
        except Exception as exc:
            return exc

    if len(calls) <= 1:
        return [outcome(call) for call in calls]
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=min(8, len(calls)), thread_name_prefix="cleanup") as pool:
        return list(pool.map(outcome, calls))


def _listed_all(kinds: list[_Kind], run_id: str, projects: Iterable[str]) -> dict[str, list[Any] | Exception]:
    """Every kind's items carrying the run's label or one of the projects' labels: one batch of listings."""
    filters = _filters(run_id, projects)
    answers = _together([partial(k[1], filters=f) for k in kinds for f in filters])
    listed: dict[str, list[Any] | Exception] = {}
    for i, (kind, *_rest) in enumerate(kinds):
        seen: dict[str, Any] = {}
        for answer in answers[i * len(filters):(i + 1) * len(filters)]:
            if isinstance(answer, Exception):
                listed[kind] = answer
                break
            seen.update((item.id, item) for item in answer)
        else:
            listed[kind] = list(seen.values())
    return listed


# What goes together, in dependency order: containers first (they use the networks, volumes and images).
TIERS = (("container",), ("network", "volume"), ("image",))


def remove_run(client: Any, run_id: str, *, names: dict[str, list[str]] | None = None,
               uncertain: Iterable[tuple[str, str]] = (), projects: Iterable[str] = (),
               images: bool = False, by_label: bool = True) -> CleanupReport:
    """Remove what carries `run_id`'s label or one of `projects`' labels, then the registered `names` still
    there: one batch of listings, then one batch of removals per tier (containers; networks and volumes;
    images). Returns what went and what could not."""
    report = CleanupReport()
    kinds = {k[0]: k for k in _kinds(client, images)}
    listed: dict[str, list[Any] | Exception] = _listed_all(list(kinds.values()), run_id, list(projects)) \
        if by_label else {kind: [] for kind in kinds}
    pending = set(uncertain)
    for tier in TIERS:
        removals: list[tuple[str, Any]] = []
        lookups: list[tuple[str, str]] = []
        for kind in (k for k in tier if k in kinds):
            items = listed[kind]
            if isinstance(items, Exception):
                report.problems.append(f"cannot list the {kind}s of run {run_id}: {daemon_reason(items)}")
                items = []
            removals += [(kind, item) for item in items]
            gone = {kinds[kind][2](item) for item in items}
            lookups += [(kind, name) for name in (names or {}).get(kind, []) if name not in gone]
        # A registered name the label listing missed (a create interrupted before the labels were set).
        for (kind, name), found in zip(lookups, _together([partial(kinds[k][4], n) for k, n in lookups])):
            if isinstance(found, Exception):
                if not is_not_found(found):
                    report.problems.append(f"{kind} {name}: {daemon_reason(found)}")
                continue
            pending.discard((kind, name))
            removals.append((kind, found))
        _remove_all(removals, kinds, report)
    for pause in RETRY_SECONDS:  # a create interrupted mid-flight: the daemon may finish it just now
        waiting = [(k, n) for k, n in pending if k in ("container", "network", "volume")]
        if not waiting:
            break
        time.sleep(pause)
        for kind, name in waiting:
            entry = kinds[kind]
            try:
                item = entry[4](name)
            except Exception:
                continue
            pending.discard((kind, name))
            _remove(kind, item, entry[2], entry[3], report)
    return report


def _remove_all(removals: list[tuple[str, Any]], kinds: dict[str, _Kind], report: CleanupReport) -> None:
    """One tier's removals at once (each reports into its own report, merged in order)."""
    parts = [CleanupReport() for _ in removals]
    _together([partial(_remove, kind, item, kinds[kind][2], kinds[kind][3], part)
               for (kind, item), part in zip(removals, parts)])
    for part in parts:
        report.removed += part.removed
        report.problems += part.problems


def _remove(kind: str, item: Any, name_of: Callable[[Any], str], remove: Callable[[Any], Any],
            report: CleanupReport) -> None:
    try:
        remove(item)
        report.removed.append(f"{kind} {name_of(item)}")
    except Exception as exc:
        # Already gone is fine, and so is a container that another cleanup (a concurrent run sweeping the
        # same dead run) or its own probe's last `remove` is removing at this moment: it is waited for a
        # little, so the run does not end while it still shows; anything else is reported.
        if kind == "container" and is_conflict(exc):
            _wait_removed(item, remove)
        elif not is_not_found(exc):
            report.problems.append(f"{kind} {name_of(item)}: {daemon_reason(exc)}")


def _wait_removed(item: Any, remove: Callable[[Any], Any]) -> None:
    """Ask again until the daemon says the container is gone (404) or removes it, for about 1.5 s."""
    for pause in CONFLICT_PAUSES:
        time.sleep(pause)
        try:
            remove(item)
            return
        except Exception as exc:
            if not is_conflict(exc):
                return


def leftovers(client: Any, run_id: str, projects: Iterable[str] = (), images: bool = False) -> dict[str, list[str]]:
    """What still carries the run's labels, by kind (one batch of listings; a failed listing raises)."""
    kinds = _kinds(client, images)
    listed = _listed_all(kinds, run_id, list(projects))
    out = {}
    for kind, _, name_of, _, _ in kinds:
        items = listed[kind]
        if isinstance(items, Exception):
            raise items
        out[f"{kind}s"] = [name_of(item) for item in items]
    return out


def removal_commands(run_id: str, projects: Iterable[str] = ()) -> list[str]:
    """The same removal typed by hand (run-reference --keep, an interrupted cleanup)."""
    out = []
    for filters in _filters(run_id, projects):
        label = filters["label"][0]
        out += [f"docker rm -f $(docker ps -aq --filter label={label})",
                f"docker network rm $(docker network ls -q --filter label={label})",
                f"docker volume rm $(docker volume ls -q --filter label={label})",
                f"docker rmi -f $(docker images -q --filter label={label})"]
    return out


def remove_paths(resources: "RunResources") -> list[str]:
    """Remove the files and folders the run registered (each named after the run: nothing else)."""
    problems = []
    for text in resources.registered["path"]:
        path = Path(text)
        if resources.run_id not in path.name:
            continue  # never: every registered path carries the run id
        try:
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path)
            elif path.exists() or path.is_symlink():
                path.unlink()
        except OSError as exc:
            problems.append(f"{path}: {exc}")
    return problems


# -- runs whose process is gone --------------------------------------------------------------------------
def _labelled_everywhere(client: Any) -> list[dict]:
    """The label sets of every container, network, volume and image carrying a run label, read from the
    list endpoints alone (no inspect per object: this runs at the end of every command)."""
    api, wanted = client.api, {"label": [RUN_ID]}
    found: list[dict] = []
    for items in _together([lambda: api.containers(all=True, filters=wanted), lambda: api.networks(filters=wanted),
                            lambda: (api.volumes(filters=wanted) or {}).get("Volumes") or [],
                            lambda: api.images(filters=wanted)]):
        if isinstance(items, Exception):
            continue
        found += [item.get("Labels") or {} for item in items if isinstance(item, dict)]
    return [labels for labels in found if isinstance(labels, dict)]


def dead_runs(client: Any) -> dict[str, tuple[Owner, set[str]]]:
    """run id -> (its owner, the compose projects named after it), for every labelled resource whose
    owning process is gone from this host."""
    found: dict[str, tuple[Owner, set[str]]] = {}
    verdicts: dict[Owner, bool] = {}
    for labels in _labelled_everywhere(client):
        owner, run_id = Owner.from_labels(labels), labels.get(RUN_ID)
        if owner is None or not run_id:
            continue
        if owner not in verdicts:
            verdicts[owner] = is_dead(owner)
        if verdicts[owner]:
            _, projects = found.setdefault(run_id, (owner, set()))
            project = labels.get(COMPOSE_PROJECT)
            if project and run_id in project:
                projects.add(project)
    return found


def sweep_dead_runs(client: Any) -> tuple[list[str], list[str]]:
    """Remove what runs whose process is gone left behind. Returns (one line per run, problems)."""
    lines, problems = [], []
    for run_id, (owner, projects) in sorted(dead_runs(client).items()):
        report = remove_run(client, run_id, projects=sorted(projects), images=True)
        problems += report.problems
        if report.removed:
            lines.append(f"removed {len(report.removed)} resource(s) left by dind-doctor run {run_id} "
                         f"(pid {owner.pid}, no longer running): {', '.join(report.removed)}")
    return lines, problems


def cleanup_run(ctx: "Context", *, projects: Iterable[str] = (), images: bool = False,
                sweep: bool = True, by_label: bool = True) -> CleanupReport:
    """Everything this run created, removed: also on Ctrl-C, SIGTERM or a crash. Then the leftovers of
    dead earlier runs. Signals arriving meanwhile wait until it is done (a second Ctrl-C cannot cut it).
    `by_label` False: only the names this Context registered (a part of a run that shares the run's id
    with work still going on beside it: run-reference's preflight, while the servers start)."""
    from ..interrupts import deferred_interrupts

    resources = ctx.resources
    with deferred_interrupts():
        resources.close(wait=min(max(ctx.timeout, 2.0), 10.0))
        report = CleanupReport(problems=remove_paths(resources), swept=list(resources.swept))
        if not ctx.connected:  # a hanging daemon must not be waited on; only the raw path can have created
            from .early import EARLY_KEY

            if ctx.memo_peek(EARLY_KEY):  # Ctrl-C while docker-py was imported, or a failed connect
                from .early_container import remove_unconnected

                removed, problems = remove_unconnected(ctx, RETRY_SECONDS)
                report.removed += removed
                report.problems += problems
            return report
        try:
            client = ctx.docker()
        except Exception:
            return report
        done = remove_run(client, resources.run_id, names=resources.registered, uncertain=resources.uncertain,
                          projects=list(projects) + resources.registered["project"], images=images,
                          by_label=by_label)
        report.removed += done.removed
        report.problems += done.problems
        if sweep:  # started early (engine/early.py) when the run had engine work: its result, or the call
            from .early import SWEEP_KEY

            swept, problems = ctx.memo(SWEEP_KEY, lambda: sweep_dead_runs(client))
            report.swept += swept
            report.problems += problems
    return report
