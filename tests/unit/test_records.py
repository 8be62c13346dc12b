"""records.dataclass behaves as the standard dataclass (the one mypy sees), defined with one compiled method,
and processed only when first needed (whatever reads it first), once, also under a race."""
import copy
import dataclasses
import inspect
import pickle
import sys
import threading
import types
from typing import ClassVar

import pytest

from dind_doctor import records


def shapes(deco, field):
    @deco(frozen=True)
    class Point:
        x: int
        y: int = 0
        tags: tuple = field(default_factory=tuple)
        note: str = field(default="", compare=False, repr=False)

    @deco
    class Bag:
        items: list = field(default_factory=list)
        count: int = 0

    @deco(frozen=True)
    class Derived(Point):
        z: int = 9

    @deco(frozen=True)
    class Checked:
        raw: str

        def __post_init__(self):
            object.__setattr__(self, "_upper", self.raw.upper())

    @deco(eq=False)
    class Identity:
        v: int

    @deco(frozen=True)
    class OwnEq:
        v: int

        def __eq__(self, other):
            return True

        def __hash__(self):
            return 7

    return Point, Bag, Derived, Checked, Identity, OwnEq


STD = shapes(dataclasses.dataclass, dataclasses.field)
OURS = shapes(records.dataclass, records.field)


def behaviour(Point, Bag, Derived, Checked, Identity, OwnEq):
    p, same, other = Point(1, 2, ("a",), "n"), Point(1, 2, ("a",), "different note"), Point(1, 3)
    bag = Bag()
    bag.items.append(1)
    bag.count = 2
    d = Derived(1, z=3)
    c = Checked("ab")
    i1, i2 = Identity(1), Identity(1)
    return [
        repr(p), repr(Bag()), repr(bag), repr(d), repr(Identity(5)),
        p == same, p == other, p != other, hash(p) == hash(same), p == (1, 2, ("a",), "n"), d == Point(1),
        Bag() == Bag(), bag == Bag([1], 2), Bag.__hash__ is None, i1 == i2, i1 == i1, hash(i1) == id(i1) // 16,
        OwnEq(1) == OwnEq(2), hash(OwnEq(3)),
        Bag().items is not Bag().items, c._upper,
        repr(dataclasses.replace(p, y=5)), dataclasses.asdict(p), [f.name for f in dataclasses.fields(d)],
        copy.copy(p) == p, copy.deepcopy(p) == p, copy.deepcopy(bag) == bag, Point.__match_args__,
        {p: 1}[same], len({p, same, other}),
    ]


def test_same_behaviour_as_the_standard_dataclass():
    assert behaviour(*OURS) == behaviour(*STD)


@pytest.mark.parametrize("classes", [STD, OURS], ids=["standard", "records"])
def test_frozen_fields_cannot_be_assigned_or_deleted_after_init(classes):
    Point, *_ = classes
    p = Point(1)
    with pytest.raises(dataclasses.FrozenInstanceError):
        p.x = 2
    with pytest.raises(dataclasses.FrozenInstanceError):
        del p.y
    assert p.x == 1


def test_a_record_holding_itself_is_shown_without_recursion():
    @records.dataclass
    class Node:
        child: object = None

    node = Node()
    node.child = node
    assert repr(node).endswith(".Node(child=...)")


def test_only_init_is_compiled_per_class_the_rest_is_shared():
    Point, Bag, *_ = OURS
    shared = records.__file__
    for method in (Point.__repr__, Point.__eq__, Point.__hash__, Point.__setattr__, Point.__delattr__,
                   Bag.__repr__, Bag.__eq__):
        assert method.__code__.co_filename == shared, method
    assert Point.__init__.__code__.co_filename != shared  # the standard, compiled __init__


def test_other_options_go_to_the_standard_decorator():
    @records.dataclass(frozen=True, slots=True)
    class Slotted:
        a: int

    assert Slotted.__slots__ == ("a",) and Slotted.__setattr__.__code__.co_filename != records.__file__
    with pytest.raises(dataclasses.FrozenInstanceError):
        Slotted(1).a = 2


@pytest.fixture
def processed(monkeypatch):
    """The record classes the standard decorator processes from now on (not records' throwaway classes)."""
    seen = []
    standard = dataclasses.dataclass

    def counting(cls=None, /, **options):
        made = standard(cls, **options)
        # records makes the real __init__ on a throwaway subclass of the record, named as it: not counted
        if not (cls.__bases__[0] in seen and cls.__qualname__ == cls.__bases__[0].__qualname__):
            seen.append(cls)
        return made

    monkeypatch.setattr(dataclasses, "dataclass", counting)
    return seen


def test_a_record_never_used_is_never_processed(processed):
    Point, Bag, Derived, Checked, Identity, OwnEq = shapes(records.dataclass, records.field)
    assert processed == [Point]  # defining costs no dataclasses work, but for a base when subclassed
    Bag()
    assert processed == [Point, Bag]
    Bag(), Bag([1])
    assert processed == [Point, Bag]  # once
    Derived(1)
    assert processed == [Point, Bag, Derived]
    assert [f.name for f in dataclasses.fields(Checked)] == ["raw"] and processed[-1] is Checked


def test_read_before_any_instance_as_the_standard_dataclass():
    """Every first use, on a fresh class each: the answer is the standard one."""
    def first_uses(Point, Derived):
        return [
            lambda: [(f.name, f.default, f.init) for f in dataclasses.fields(Point)],
            lambda: dataclasses.is_dataclass(Point) and dataclasses.is_dataclass(Derived),
            lambda: Point.__match_args__,
            lambda: str(inspect.signature(Point)),
            lambda: [f.name for f in dataclasses.fields(Derived)],
            lambda: Derived.__match_args__,
            lambda: repr(dataclasses.replace(Derived(1), y=4)),
            lambda: (dataclasses.asdict(Derived(2)), dataclasses.astuple(Derived(2))),
            lambda: Derived(1) == Derived(1) and hash(Derived(1)) == hash(Derived(1)),
            lambda: repr(Point(1)),
        ]

    for number in range(10):
        std = shapes(dataclasses.dataclass, dataclasses.field)
        ours = shapes(records.dataclass, records.field)
        answer = first_uses(ours[0], ours[2])[number]()
        assert answer == first_uses(std[0], std[2])[number](), number
    assert ours[0].__doc__ == "Point(x, y, tags, note)" and ours[0].__dataclass_params__.init


def test_undocumented_classes_are_named_by_their_fields_documented_ones_keep_theirs():
    Point, Bag, Derived, Checked, *_ = shapes(records.dataclass, records.field)
    assert Point.__doc__ == "Point(x, y, tags, note)"  # read first: processes the class
    assert Derived.__doc__ == "Derived(x, y, tags, note, z)" and Derived(1).__doc__ == Derived.__doc__
    assert records.dataclass(type("Told", (), {"__doc__": "Said.", "__annotations__": {"a": int}})).__doc__ == "Said."


def test_a_plain_subclass_processes_the_record_it_inherits_from(processed):
    Point, *_ = shapes(records.dataclass, records.field)

    class Plain(Point):
        def norm(self):
            return self.x + self.y

    p = Plain(3, 4)
    assert processed == [Point] and p.norm() == 7 and p == Plain(3, 4) and p != Point(3, 4)
    assert repr(p) == f"{Plain.__qualname__}(x=3, y=4, tags=())"
    with pytest.raises(dataclasses.FrozenInstanceError):
        p.x = 0
    Point2, *_ = shapes(records.dataclass, records.field)
    assert [f.name for f in dataclasses.fields(type("Plain2", (Point2,), {}))] == ["x", "y", "tags", "note"]


def mixed(deco, field):
    @deco
    class Mixed:
        base: str
        total: ClassVar[int] = 0
        items: list = field(default_factory=list)
        hidden: int = field(init=False, default=5)
        upper: str = field(init=False)
        limit: int = 3

        def __post_init__(self):
            self.upper = self.base.upper()
            type(self).total += 1

    return Mixed


@pytest.mark.parametrize("first", ["instance", "fields"])
def test_post_init_factories_init_false_and_class_variables_as_the_standard(first):
    def use(Mixed):
        early = [f.name for f in dataclasses.fields(Mixed)] if first == "fields" else None
        m = Mixed("ab", [1])
        return [early, repr(m), m == Mixed("ab", [1]), Mixed("x").items is not Mixed("x").items, Mixed.total,
                m.hidden, Mixed.__match_args__, dataclasses.asdict(m), str(inspect.signature(Mixed))]

    assert use(mixed(records.dataclass, records.field)) == use(mixed(dataclasses.dataclass, dataclasses.field))


def test_other_options_and_an_own_init_are_processed_at_once(processed):
    @records.dataclass(order=True)
    class Ordered:
        a: int

    @records.dataclass
    class OwnInit:
        a: int

        def __init__(self, a):
            self.a = a * 2

    assert processed == [Ordered, OwnInit]
    assert Ordered(1) < Ordered(2) and OwnInit(2).a == 4 and repr(OwnInit(1)).endswith("OwnInit(a=2)")


def test_eight_threads_instantiating_a_fresh_record_at_once_process_it_once(processed):
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible: inside the processing too
    try:
        for _ in range(5):
            Point, *_ = shapes(records.dataclass, records.field)
            barrier, made, errors = threading.Barrier(8), [], []

            def first_use(n):
                barrier.wait()
                try:
                    made.append(Point(n, tags=(n,)) if n % 2 else (dataclasses.fields(Point), Point(n, tags=(n,)))[1])
                except Exception as error:  # noqa: BLE001 - reported below
                    errors.append(error)

            threads = [threading.Thread(target=first_use, args=(n,)) for n in range(8)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            assert errors == [] and processed.count(Point) == 1
            assert sorted(p.x for p in made) == list(range(8))
            assert all(p == Point(p.x, 0, (p.x,)) and repr(p).endswith(f"Point(x={p.x}, y=0, tags=({p.x},))")
                       for p in made)
    finally:
        sys.setswitchinterval(interval)


RECORD_SOURCE = """
from dind_doctor.records import dataclass

@dataclass(frozen=True)
class Saved:
    name: str
    size: int = 0
"""


def fresh_module(name):
    module = types.ModuleType(name)
    sys.modules[name] = module
    exec(RECORD_SOURCE, module.__dict__)
    return module


def test_an_instance_unpickled_before_its_class_was_used_is_whole(processed):
    """The package pickles no record (nor copies one outside this file); a plugin might: unpickling skips
    __init__, so it is what processes the class, as in a fresh process."""
    try:
        data = pickle.dumps(fresh_module("records_pickled").Saved("a", 2))
        Saved = fresh_module("records_pickled").Saved  # as a new process would import it: not processed
        assert processed.count(Saved) == 0
        loaded = pickle.loads(data)
        assert processed.count(Saved) == 1 and type(loaded) is Saved
        assert loaded == Saved("a", 2) and repr(loaded) == "Saved(name='a', size=2)" and hash(loaded) == hash(Saved("a", 2))
        assert copy.copy(loaded) == loaded and copy.deepcopy(loaded) == loaded
        with pytest.raises(dataclasses.FrozenInstanceError):
            loaded.size = 3
    finally:
        sys.modules.pop("records_pickled", None)


def test_a_malformed_record_fails_at_its_first_use_and_at_every_instantiation():
    with pytest.raises(TypeError, match="follows default argument"):
        @dataclasses.dataclass
        class Standard:
            a: int = 0
            b: str

    def malformed():
        @records.dataclass
        class Malformed:
            a: int = 0
            b: str

        return Malformed

    for first_use in (lambda cls: cls(1, "b"), dataclasses.fields, lambda cls: cls.__doc__):
        cls = malformed()  # defining it is fine: nothing is processed yet
        with pytest.raises(TypeError, match="follows default argument"):
            first_use(cls)
        raised = []
        for later_use in (lambda: cls(1, "b"), lambda: dataclasses.fields(cls), lambda: cls(1, "b")):
            with pytest.raises(TypeError, match="follows default argument") as caught:
                later_use()
            raised.append(caught.value)
        # a new exception each time (the same object's traceback would grow with every raise)
        assert len({id(e) for e in raised}) == 3 and all(len(list(_frames(e))) < 6 for e in raised)


def _frames(error):
    tb = error.__traceback__
    while tb is not None:
        yield tb
        tb = tb.tb_next


def test_a_subclass_with_an_init_of_its_own_finds_its_base_processed(processed):
    Point, *_ = shapes(records.dataclass, records.field)

    class Sub(Point):
        def __init__(self, x):  # never calls the stub
            object.__setattr__(self, "x", x)
            object.__setattr__(self, "y", 0)
            object.__setattr__(self, "tags", ())
            object.__setattr__(self, "note", None)

    assert processed == [Point]  # at the subclass's definition, before any instance
    s = Sub(1)
    assert s == Sub(1) and repr(s) == f"{Sub.__qualname__}(x=1, y=0, tags=())"  # note: repr=False
    with pytest.raises(dataclasses.FrozenInstanceError):
        s.x = 2

