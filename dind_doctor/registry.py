"""Finds checks through the entry-point group `dind_doctor.checks`; built-ins are registered there too.

Discovery (which entry points exist, entry_points.py: read without importlib.metadata) and loading
(importing them) are separate, so that a plugin that fails to import becomes a named failure instead of a
traceback.
"""
from __future__ import annotations

from .records import dataclass

from .check import Check
from .entry_points import EntryPoint, entry_points

GROUP = "dind_doctor.checks"


@dataclass(frozen=True)
class LoadFailure:
    id: str  # the entry point name, which is the check id
    package: str  # the distribution that declared it
    error: str


def discover() -> list[EntryPoint]:
    found = {ep.name: ep for ep in entry_points(GROUP)}
    return [found[name] for name in sorted(found)]


def load(ep: EntryPoint) -> type[Check] | LoadFailure:
    try:
        obj = ep.load()
    except Exception as exc:  # any import-time failure of a plugin: report it, never crash
        return LoadFailure(ep.name, ep.package, f"{type(exc).__name__}: {exc}")
    if not (isinstance(obj, type) and issubclass(obj, Check)):
        return LoadFailure(ep.name, ep.package, f"{ep.value} is not a dind_doctor.check.Check subclass")
    if getattr(obj, "id", None) != ep.name:
        return LoadFailure(ep.name, ep.package,
                           f"entry point name {ep.name!r} differs from the check id {getattr(obj, 'id', None)!r}")
    return obj


def load_all() -> list[type[Check] | LoadFailure]:
    from .lazy_regex import deferred_compiles

    # The checks import most of the package: its ~100 module-level patterns are compiled when first used,
    # a third of them never in a typical run (lazy_regex.py; the package only calls their methods).
    with deferred_compiles("dind_doctor"):
        return [load(ep) for ep in discover()]


def checks_by_id() -> dict[str, type[Check] | LoadFailure]:
    """id -> loaded Check class or LoadFailure, in registry order."""
    return {item.id: item for item in load_all()}
