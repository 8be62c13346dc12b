"""records.dataclass behaves as the standard dataclass (the one mypy sees), defined with one compiled method."""
import copy
import dataclasses

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
