"""Removes what one run created, and only that: everything carrying this run's label, and the resources of
the compose project whose name holds this run's id (compose labels its own volumes and networks)."""
from __future__ import annotations

from typing import Any, Callable

from ..labels import RUN_ID

COMPOSE_PROJECT = "com.docker.compose.project"


def _filters(run_id: str, project: str) -> list[dict]:
    return [{"label": [f"{RUN_ID}={run_id}"]}, {"label": [f"{COMPOSE_PROJECT}={project}"]}]


def _each(listing: Callable[..., list], run_id: str, project: str) -> list:
    seen: dict[str, Any] = {}
    for filters in _filters(run_id, project):
        for item in listing(filters=filters):
            seen[item.id] = item
    return list(seen.values())


def leftovers(client: Any, run_id: str, project: str) -> dict[str, list[str]]:
    return {
        "containers": [c.name for c in _each(lambda **k: client.containers.list(all=True, **k), run_id, project)],
        "networks": [n.name for n in _each(client.networks.list, run_id, project)],
        "volumes": [v.name for v in _each(client.volumes.list, run_id, project)],
        "images": [i.tags[0] if i.tags else i.short_id for i in _each(client.images.list, run_id, project)],
    }


def remove_run(client: Any, run_id: str, project: str) -> list[str]:
    """Removes, in dependency order; returns what could not be removed (with the reason)."""
    problems: list[str] = []

    def attempt(what: str, action: Callable[[], Any]) -> None:
        try:
            action()
        except Exception as exc:  # NotFound (already gone) is fine; anything else is reported
            if "404" not in str(exc) and "No such" not in str(exc):
                problems.append(f"{what}: {exc}")

    for c in _each(lambda **k: client.containers.list(all=True, **k), run_id, project):
        attempt(f"container {c.name}", lambda c=c: c.remove(force=True, v=True))
    for n in _each(client.networks.list, run_id, project):
        attempt(f"network {n.name}", n.remove)
    for v in _each(client.volumes.list, run_id, project):
        attempt(f"volume {v.name}", lambda v=v: v.remove(force=True))
    for i in _each(client.images.list, run_id, project):
        attempt(f"image {i.tags or i.short_id}", lambda i=i: client.images.remove(i.id, force=True))
    return problems


def removal_commands(run_id: str, project: str) -> list[str]:
    """What --keep prints: the same removal, typed by hand."""
    out = []
    for label in (f"{RUN_ID}={run_id}", f"{COMPOSE_PROJECT}={project}"):
        out += [f"docker rm -f $(docker ps -aq --filter label={label})",
                f"docker network rm $(docker network ls -q --filter label={label})",
                f"docker volume rm $(docker volume ls -q --filter label={label})",
                f"docker rmi -f $(docker images -q --filter label={label})"]
    return out
