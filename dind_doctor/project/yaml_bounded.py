"""YAML read with a bound on alias expansion, before anything (dind-doctor or `docker compose`) expands it.

A "billion laughs" document is a few hundred bytes whose aliases (`*a`) and merge keys (`<<: *a`) expand
to billions of nodes: composing it is cheap (an alias is a reference to the anchored node), but every
consumer that walks it, merges it or re-serialises it pays the expanded size (116 s and 5.4 GB here;
`docker compose` grew to 13.8 GB on the same file). So the node graph is composed first (linear in the
text), its EXPANDED size is counted in one pass over the distinct nodes (each node's size is computed once
and reused by every alias to it), and a document whose aliases expand past ALIAS_BUDGET nodes is refused
with a message naming the budget: it is never constructed, walked or handed to compose. A document without
aliases is never refused (its expanded size is its size, bounded by the file size cap).

PyYAML's C loader (libyaml) is used where it is installed: the same nodes and line marks, several times faster.
"""
from __future__ import annotations

import re
from ..records import dataclass
from typing import Any

from ..errors import DindDoctorError

ALIAS_BUDGET = 100_000  # expanded nodes allowed beyond the document's own; a real compose file has < 10,000
MAX_DEPTH = 200  # node nesting refused past this; a real compose file nests < 15 levels
_BRACKET = re.compile(r"[\[\]{}]")


class YamlRefused(DindDoctorError):
    """The document is not read: invalid YAML, or aliases expanding past the budget."""

    def __init__(self, message: str, line: int | None = None, budget: bool = False) -> None:
        super().__init__(message)
        self.line = line
        self.budget = budget  # True: refused for its alias expansion (never pass it to compose either)


@dataclass(frozen=True)
class YamlDocument:
    data: Any  # the constructed document (None for an empty one)
    node: Any  # the composed node tree, for line numbers (None for an empty document)
    expanded_nodes: int  # the size a full walk of `data` visits, aliases expanded (0: no anchor, not counted)
    distinct_nodes: int  # (0: no anchor, not counted)


def depth_bound(text: str) -> int:
    """A cheap upper bound of the node nesting: a node nests deeper only through indentation, a block
    indicator on its line (`- `, `? `, `: `) or a flow bracket (which may span lines). Over, never under."""
    flow = deepest = 0
    for m in _BRACKET.finditer(text):
        flow = flow + 1 if m.group(0) in "[{" else max(flow - 1, 0)
        deepest = max(deepest, flow)
    lines = text.splitlines() or [""]
    indent = max(len(line) - len(line.lstrip(" ")) for line in lines)
    indicators = max(line.count("- ") + line.count("? ") + line.count(": ") + 1 for line in lines)
    return deepest + indent + indicators


def quick_depth_bound(text: str) -> int:
    """A bound over depth_bound, from a few whole-text searches instead of a Python step per line: the
    flow nesting is at most the count of `[` and `{`; a line's indentation at most the longest run of
    spaces; its block indicators (two characters each, never overlapping) at most half its length. Looser
    than depth_bound: every `{` counts, `${VAR}` too, so a file with about 190 interpolations or a line over
    about 400 characters is passed on to depth_bound; most compose files are settled here."""
    longest = max(map(len, text.splitlines()), default=0)
    low, high = 0, longest  # the longest run of spaces: a run lies within a line
    while low < high:
        mid = (low + high + 1) // 2
        low, high = (mid, high) if " " * mid in text else (low, mid - 1)
    return text.count("[") + text.count("{") + low + longest // 2 + 1


def event_depth(loader_class: Any, text: str, stop: int = MAX_DEPTH) -> int:
    """The true nesting, from libyaml's events (its parser keeps an explicit stack: no recursion), up to
    `stop`: it returns as soon as the nesting passes it (libyaml's scanner is quadratic in flow nesting:
    100,000 `[` took 200 s to scan whole)."""
    from ..pyyaml import yaml

    loader = loader_class(text)
    depth = deepest = 0
    try:
        while True:
            event = loader.get_event()
            if event is None or isinstance(event, yaml.StreamEndEvent):
                return deepest
            if isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
                depth += 1
                deepest = max(deepest, depth)
                if deepest > stop:
                    return deepest
            elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
                depth -= 1
    finally:
        loader.dispose()


def _loader_class(text: str) -> Any:
    """libyaml's loader where installed (its composer recurses in C: only given text whose nesting is
    known to be within MAX_DEPTH, since 100,000 nested `- ` overflow the C stack); else PyYAML's own,
    whose recursion ends in a RecursionError."""
    from ..pyyaml import yaml

    fast = getattr(yaml, "CSafeLoader", None)
    if fast is None:
        return yaml.SafeLoader
    # Each test runs only when the cheaper one before it cannot rule the nesting out.
    if quick_depth_bound(text) > MAX_DEPTH and depth_bound(text) > MAX_DEPTH and \
            event_depth(fast, text) > MAX_DEPTH:
        raise YamlRefused(f"refused: nested deeper than {MAX_DEPTH} levels")
    return fast


def expanded_size(root: Any) -> tuple[int, int]:
    """(expanded, distinct) node counts of a composed graph, iteratively (no recursion limit), each
    distinct node visited once. A node that contains itself (a recursive alias) counts as unbounded."""
    sizes: dict[int, int] = {}
    on_path: set[int] = set()
    # (node, None): to visit; (node, its children): visited, sized once they are. A scalar (most nodes) is
    # sized as it is met: no children to list, no second visit.
    stack: list[tuple[Any, list[Any] | None]] = [(root, None)]
    while stack:
        node, children = stack.pop()
        key = id(node)
        if children is not None:
            sizes[key] = 1 + sum(sizes[id(c)] for c in children)
            on_path.discard(key)
            continue
        if key in sizes:
            continue
        if node.id == "scalar":
            sizes[key] = 1
            continue
        if key in on_path:
            return ALIAS_BUDGET * 1000, len(sizes)  # recursive: expanding it never ends
        on_path.add(key)
        children = _children(node)
        stack.append((node, children))
        for child in children:
            if id(child) in on_path:
                return ALIAS_BUDGET * 1000, len(sizes)
            if id(child) not in sizes:
                stack.append((child, None))
    return sizes.get(id(root), 0), len(sizes)


def _children(node: Any) -> list[Any]:
    if node.id == "sequence":
        return list(node.value)
    if node.id == "mapping":
        return [part for pair in node.value for part in pair]
    return []


def load_bounded(text: str, budget: int = ALIAS_BUDGET) -> YamlDocument:
    """The document of `text`; raises YamlRefused (never a YAML or recursion traceback)."""
    from ..pyyaml import yaml

    try:
        loader = _loader_class(text)(text)
    except yaml.YAMLError as exc:  # met while measuring the nesting: the same error the loader would give
        mark = getattr(exc, "problem_mark", None)
        raise YamlRefused(f"not valid YAML: {getattr(exc, 'problem', None) or exc}",
                          mark.line + 1 if mark is not None else None) from None
    try:
        try:
            node = loader.get_single_node()
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            raise YamlRefused(f"not valid YAML: {getattr(exc, 'problem', None) or exc}",
                              mark.line + 1 if mark is not None else None) from None
        except (ValueError, RecursionError) as exc:
            raise YamlRefused(f"not valid YAML: {type(exc).__name__}") from None
        if node is None:
            return YamlDocument(None, None, 0, 0)
        # No anchor (`&name`), no alias: the expanded size is the written size, bounded by the file cap.
        expanded, distinct = expanded_size(node) if "&" in text else (0, 0)
        if expanded > distinct + budget:
            raise YamlRefused(f"refused: its YAML aliases expand to more than {distinct + budget:,} nodes "
                              f"({distinct:,} written); an alias bomb is never expanded, nor passed to "
                              "`docker compose`", node.start_mark.line + 1, budget=True)
        try:
            data = loader.construct_document(node)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            raise YamlRefused(f"not valid YAML: {getattr(exc, 'problem', None) or exc}",
                              mark.line + 1 if mark is not None else None) from None
        except (ValueError, TypeError, RecursionError) as exc:
            raise YamlRefused(f"not valid YAML: {type(exc).__name__}") from None
    finally:
        loader.dispose()
    return YamlDocument(data, node, expanded, distinct)


def line_of(node: Any, *keys: Any) -> int | None:
    """1-based line of the node at keys (str keys into mappings, int into sequences), None when absent."""
    for key in keys:
        if node is None:
            return None
        if node.id == "mapping":
            node = next((v for k, v in node.value if getattr(k, "value", None) == key), None)
        elif node.id == "sequence" and isinstance(key, int) and 0 <= key < len(node.value):
            node = node.value[key]
        else:
            return None
    return node.start_mark.line + 1 if node is not None else None
