"""Removes what one run created, and only that: everything carrying this run's label, and the resources of
the compose project whose name holds this run's id (compose labels its own volumes and networks).

Unlike probes.cleanup_run it also removes images (the outer and module images), and it reports what it
could not remove."""
from __future__ import annotations

from typing import Any, Callable

from ..labels import selector

COMPOSE_PROJECT = "com.docker.compose.project"


def _filters(run_id: str, project: str) -> list[dict]:
    return [selector(run_id), {"label": [f"{COMPOSE_PROJECT}={project}"]}]


def _kinds(client: Any) -> tuple[tuple[str, Callable[..., list], Callable[[Any], str], Callable[[Any], Any]], ...]:
    """(kind, its listing, its name, its remover), in dependency order: a container first, then what it uses."""
    return (
        ("container", lambda **k: client.containers.list(all=True, **k), lambda c: c.name,
         lambda c: c.remove(force=True, v=True)),
        ("network", client.networks.list, lambda n: n.name, lambda n: n.remove()),
        ("volume", client.volumes.list, lambda v: v.name, lambda v: v.remove(force=True)),
        ("image", client.images.list, lambda i: i.tags[0] if i.tags else i.short_id,
         lambda i: client.images.remove(i.id, force=True)),
    )


def _each(listing: Callable[..., list], run_id: str, project: str) -> list:
    seen: dict[str, Any] = {}
    for filters in _filters(run_id, project):
        for item in listing(filters=filters):
            seen[item.id] = item
    return list(seen.values())


def leftovers(client: Any, run_id: str, project: str) -> dict[str, list[str]]:
    return {f"{kind}s": [name(item) for item in _each(listing, run_id, project)]
            for kind, listing, name, _ in _kinds(client)}


def remove_run(client: Any, run_id: str, project: str) -> list[str]:
    """Removes, in dependency order; returns what could not be removed (with the reason)."""
    problems: list[str] = []
    for kind, listing, name, remove in _kinds(client):
        for item in _each(listing, run_id, project):
            try:
                remove(item)
            except Exception as exc:  # NotFound (already gone) is fine; anything else is reported
                if "404" not in str(exc) and "No such" not in str(exc):
                    problems.append(f"{kind} {name(item)}: {exc}")
    return problems


def removal_commands(run_id: str, project: str) -> list[str]:
    """What --keep prints: the same removal, typed by hand."""
    out = []
    for filters in _filters(run_id, project):
        label = filters["label"][0]
        out += [f"docker rm -f $(docker ps -aq --filter label={label})",
                f"docker network rm $(docker network ls -q --filter label={label})",
                f"docker volume rm $(docker volume ls -q --filter label={label})",
                f"docker rmi -f $(docker images -q --filter label={label})"]
    return out
