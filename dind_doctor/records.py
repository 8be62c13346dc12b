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

Even that work is deferred: a `check --static` run imports about 80 of the package's records and
instantiates about 50. A record is only marked when created (_defer), and processed the first time something
needs it, once, under a lock (checks run on threads). Each way in is an attribute that processing replaces:
the __init__ stub, __dataclass_fields__ (fields, replace, asdict, is_dataclass, a subclass's own
processing), __dataclass_params__, __match_args__, __doc__, __init_subclass__ (a subclass with an __init__ of
its own never calls the stub); or removes: __setstate__ (unpickling skips __init__) and __signature__
(inspect.signature, help). A class with other options or its own __init__ is processed at once.
Consequences: a malformed record (a field without a default after one with it) raises at its first use, and
at every use after it, not at import (mypy reports it before either); `Rec.__init__` read off the class
before its first use is the stub (`(*args, **kwargs)`); and while one thread processes a record, another
reading `__dataclass_params__` directly (nothing in the package does) may see the intermediate init=False.
"""
from __future__ import annotations

import dataclasses
import threading
from dataclasses import FrozenInstanceError, field
from operator import attrgetter
from typing import TYPE_CHECKING, Any, Callable

from .compile_cache import through_cache

through_cache(dataclasses)  # the one __init__ per record it compiles, kept between runs (console.py installs it)

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


def _process(cls: type, frozen: bool, eq: bool, repr: bool, undocumented: bool, lazy: bool) -> None:
    class_hash = cls.__dict__.get("__hash__", dataclasses.MISSING)
    explicit_hash = not (class_hash is dataclasses.MISSING or (class_hash is None and "__eq__" in cls.__dict__))
    if lazy:  # the stub stays until the real __init__ replaces it (_standard_init); __doc__ reads "-" meanwhile
        dataclasses.dataclass(cls, init=False, repr=False, eq=False, match_args=False)
    else:
        if undocumented:  # else the standard decorator writes one from inspect.signature: a third of its time
            cls.__doc__ = "-"
        dataclasses.dataclass(cls, repr=False, eq=False)  # only __init__ is compiled
    fields = dataclasses.fields(cls)
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
    if undocumented:
        cls.__doc__ = f"{cls.__name__}({', '.join(f.name for f in fields if f.init)})"
    if lazy:
        made = _standard_init(cls)
        cls.__dataclass_params__ = made.__dataclass_params__  # type: ignore[attr-defined]  # init=True, as eager
        if isinstance(own.get("__match_args__"), _Pending):
            cls.__match_args__ = made.__match_args__  # type: ignore[attr-defined, misc]
        for name in _REMOVED:
            if isinstance(own.get(name), _Pending):
                delattr(cls, name)
        # last: from here on, instances are made without the lock, so all the above must be in place
        cls.__init__ = made.__dict__["__init__"]  # type: ignore[misc]


def _standard_init(cls: type) -> type:
    """A throwaway subclass of cls, with no field of its own, through the standard decorator: its __init__
    is the one dataclasses would give cls (cls's fields, annotations, defaults and __post_init__, from cls
    itself). Not made on cls: dataclasses writes __init__ only where the class has none, and the stub must
    stay until this one replaces it, or a thread instantiating in between would get object.__init__."""
    space = {"__module__": cls.__module__, "__qualname__": cls.__qualname__, "__doc__": "-"}
    return dataclasses.dataclass(type(cls.__name__, (cls,), space), repr=False, eq=False)


_lock = threading.RLock()  # reentrant: processing a record reads its bases' fields, which processes them first
# class -> _process's arguments (frozen, eq, repr, undocumented), or why processing it failed
_waiting: dict[type, tuple[bool, bool, bool, bool] | str] = {}
_SET = ("__dataclass_fields__", "__dataclass_params__", "__match_args__")  # processing sets them
_REMOVED = ("__setstate__", "__signature__")  # read from outside before any __init__; processing removes them


def _finalize(cls: type) -> None:
    with _lock:  # two first uses at once: one processes, the other waits and finds it done
        task = _waiting.pop(cls, None)
        if task is None:  # processed already, or being processed by this very thread (a read from inside)
            return
        if isinstance(task, str):
            _waiting[cls] = task
            raise TypeError(f"record {cls.__qualname__} cannot be used: {task}")
        try:
            _process(cls, *task, lazy=True)
        except BaseException as error:
            # Half processed (a malformed record, or Ctrl-C in the middle): it must not look finished. Every
            # later use raises anew (not the same exception object, whose traceback would grow), and the
            # attributes dataclasses set already lead back here.
            _waiting[cls] = f"processing it failed: {type(error).__name__}: {error}"
            for name in _SET:
                setattr(cls, name, _Pending(cls, name))
            raise


class _Pending:
    """A class attribute of a record not processed yet: reading it processes the class (the one that holds
    it, also when read through a plain subclass), then gives what processing put in its place."""

    __slots__ = ("owner", "name")

    def __init__(self, owner: type, name: str) -> None:
        self.owner, self.name = owner, name

    def __get__(self, obj: Any, objtype: type | None = None) -> Any:
        _finalize(self.owner)
        value = self.owner.__dict__.get(self.name)
        if value is self:  # read by the processing itself: dataclasses asks whether there is a docstring
            if self.name == "__doc__":
                return "-"
            raise AttributeError(self.name)
        if value is None:  # one of _REMOVED
            raise AttributeError(self.name)
        return value


def _init_stub(cls: type) -> Callable[..., None]:
    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        _finalize(cls)  # cls, not type(self): a plain subclass inherits this stub
        cls.__init__(self, *args, **kwargs)  # type: ignore[misc]

    return __init__


def _subclass_hook(cls: type) -> classmethod:
    """cls's __init_subclass__: a subclass, whatever its own __init__, finds cls processed."""

    def __init_subclass__(sub: type, **kwargs: Any) -> None:
        _finalize(cls)
        super(cls, sub).__init_subclass__(**kwargs)  # type: ignore[arg-type]

    return classmethod(__init_subclass__)


def _defer(cls: type, frozen: bool, eq: bool, repr: bool) -> type:
    undocumented = not cls.__dict__.get("__doc__")
    if "__init__" in cls.__dict__:  # its own __init__: nothing would trigger processing, so do it now
        _process(cls, frozen, eq, repr, undocumented, lazy=False)
        return cls
    _waiting[cls] = (frozen, eq, repr, undocumented)
    for name in _SET:
        if name not in cls.__dict__:  # a __match_args__ of the class's own stays, as with the standard one
            setattr(cls, name, _Pending(cls, name))
    for name in _REMOVED:  # unless some class of the MRO really has one
        if not any(name in k.__dict__ and not isinstance(k.__dict__[name], _Pending) for k in cls.__mro__):
            setattr(cls, name, _Pending(cls, name))
    if undocumented:
        cls.__doc__ = _Pending(cls, "__doc__")  # type: ignore[assignment]
    if "__init_subclass__" not in cls.__dict__:
        cls.__init_subclass__ = _subclass_hook(cls)  # type: ignore[assignment]
    cls.__init__ = _init_stub(cls)  # type: ignore[misc]
    return cls


if TYPE_CHECKING:
    from dataclasses import dataclass
else:
    def dataclass(cls=None, /, *, frozen=False, eq=True, repr=True, **others):
        def wrap(cls):
            if others:  # slots and the like: the standard decorator, now (slots makes a new class)
                return dataclasses.dataclass(cls, frozen=frozen, eq=eq, repr=repr, **others)
            return _defer(cls, frozen, eq, repr)

        return wrap if cls is None else wrap(cls)
