"""`dataclass` and `field` as the standard library's, cheaper to define: the package's classes are created
at every start-up, and that was a third of a `check --static` run's CPU.

Python 3.10-3.12's dataclasses compile each generated method from source text, about 0.15 ms apiece on a
slow core: six for a frozen class (__init__, __repr__, __eq__, __hash__, __setattr__, __delattr__), some
70 classes per run. Here the standard decorator makes only __init__ (instances are built in hot loops, and
its signature, defaults, factories and __post_init__ stay the standard ones); __repr__, __eq__, __hash__
and the frozen guard are shared functions reading the fields the class was given (and a class without a
docstring gets `Name(field, ...)`, not the standard one made with inspect.signature). mypy sees the standard
decorator itself, so typing is unchanged (frozen assignments, replace, fields). A frozen field cannot be
assigned again once __init__ has set it (FrozenInstanceError, like the standard guard; object.__setattr__ in
__post_init__ still works). Options other than frozen/eq/repr (slots, order, unsafe_hash...) are passed to
the standard decorator whole.
"""
from __future__ import annotations

import dataclasses
from dataclasses import FrozenInstanceError, field
from operator import attrgetter
from typing import TYPE_CHECKING, Any, Callable

__all__ = ["dataclass", "field"]


def _repr_for(names: tuple[str, ...]) -> Callable[[Any], str]:
    active: set[tuple[int, int]] = set()  # (object, thread): a record that holds itself shows as ...

    def __repr__(self: Any) -> str:
        import _thread

        key = (id(self), _thread.get_ident())
        if key in active:
            return "..."
        active.add(key)
        try:
            inner = ", ".join(f"{name}={getattr(self, name)!r}" for name in names)
        finally:
            active.discard(key)
        return f"{self.__class__.__qualname__}({inner})"

    return __repr__


def _values_for(names: tuple[str, ...]) -> Callable[[Any], tuple]:
    if not names:
        return lambda self: ()
    if len(names) == 1:
        one = attrgetter(names[0])
        return lambda self: (one(self),)
    return attrgetter(*names)


def _eq_for(values: Callable[[Any], tuple]) -> Callable[[Any, Any], Any]:
    def __eq__(self: Any, other: Any) -> Any:
        if other.__class__ is self.__class__:
            return values(self) == values(other)
        return NotImplemented

    return __eq__


def _hash_for(values: Callable[[Any], tuple]) -> Callable[[Any], int]:
    def __hash__(self: Any) -> int:
        return hash(values(self))

    return __hash__


def _frozen_setattr(self: Any, name: str, value: Any) -> None:
    if name in self.__dict__:
        raise FrozenInstanceError(f"cannot assign to field {name!r}")
    object.__setattr__(self, name, value)


def _frozen_delattr(self: Any, name: str) -> None:
    raise FrozenInstanceError(f"cannot delete field {name!r}")


def _record(cls: type, frozen: bool, eq: bool, repr: bool) -> type:
    class_hash = cls.__dict__.get("__hash__", dataclasses.MISSING)
    explicit_hash = not (class_hash is dataclasses.MISSING or (class_hash is None and "__eq__" in cls.__dict__))
    undocumented = not cls.__dict__.get("__doc__")
    if undocumented:  # else the standard decorator writes one from inspect.signature: a third of its time
        cls.__doc__ = "-"
    cls = dataclasses.dataclass(cls, repr=False, eq=False)  # only __init__ is compiled
    fields = dataclasses.fields(cls)
    if undocumented:
        cls.__doc__ = f"{cls.__name__}({', '.join(f.name for f in fields if f.init)})"
    own = cls.__dict__
    if repr and "__repr__" not in own:
        cls.__repr__ = _repr_for(tuple(f.name for f in fields if f.repr))  # type: ignore[assignment]
    if eq and "__eq__" not in own:
        values = _values_for(tuple(f.name for f in fields if f.compare))
        cls.__eq__ = _eq_for(values)  # type: ignore[assignment]
        if not explicit_hash:
            hashed = _values_for(tuple(f.name for f in fields if (f.compare if f.hash is None else f.hash)))
            cls.__hash__ = _hash_for(hashed) if frozen else None  # type: ignore[assignment]
    if frozen:
        for name, guard in (("__setattr__", _frozen_setattr), ("__delattr__", _frozen_delattr)):
            if name in own:
                raise TypeError(f"cannot overwrite attribute {name} in class {cls.__name__}")
            setattr(cls, name, guard)
    return cls


if TYPE_CHECKING:
    from dataclasses import dataclass
else:
    def dataclass(cls=None, /, *, frozen=False, eq=True, repr=True, **others):
        def wrap(cls):
            if others:
                return dataclasses.dataclass(cls, frozen=frozen, eq=eq, repr=repr, **others)
            return _record(cls, frozen, eq, repr)

        return wrap if cls is None else wrap(cls)
