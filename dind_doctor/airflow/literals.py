"""Resolve the value of a Python expression without running it: literals, and simple names bound once to
literals in the same module.

A DAG file may import Airflow, which the user's machine need not have, so it is read with `ast` and never
imported. What cannot be known without running the code is said so ("not a literal: ...") and the checks
move on. Every name is resolved once (memoised), so a module is read in time linear in its size.
"""
from __future__ import annotations

import ast
from ..records import dataclass
from typing import Any, Sequence

MAX_DEPTH = 40  # a literal nested deeper than this is generated code: not worth resolving
TEXT_LIMIT = 120  # how much of an expression a finding quotes

ENV_READERS = ("os.getenv", "getenv", "os.environ.get", "environ.get")


@dataclass(frozen=True)
class Value:
    """One argument's value as the DAG writes it, where it is, and whether it is known without running."""

    text: str  # the expression as written (shortened)
    line: int
    column: int  # 1-based
    literal: bool
    value: Any = None  # the resolved literal when `literal`
    reason: str = ""  # why it is not a literal ("computed: dotenv_values(...)", "NAME is assigned 2 times")
    via: str | None = None  # the name the literal was reached through
    env_var: str | None = None  # read from this environment variable at parse time (os.getenv / os.environ)
    env_default: Any = None  # the literal default given to that read, if any
    # A dict that is not a literal as a whole: its entries that are (key -> value, or for an environment
    # read, its literal default). What the masking boundary hides, where a check would see no literal.
    entries: dict | None = None

    def describe(self) -> str:
        """The value for a finding's text: the literal, or why there is none."""
        if self.literal:
            shown = repr(self.value)
            return shown if self.via is None else f"{shown} (through {self.via})"
        return f"not a literal: {self.reason or self.text}"


def shorten(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= TEXT_LIMIT else text[: TEXT_LIMIT - 3] + "..."


def source_of(node: ast.AST) -> str:
    try:
        return shorten(ast.unparse(node))
    except (ValueError, RecursionError):  # pragma: no cover - unparse of an odd tree
        return "<expression>"


class _NotLiteral(Exception):
    def __init__(self, reason: str, env_var: str | None = None, env_default: Any = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.env_var = env_var
        self.env_default = env_default


class Resolver:
    """The module's simple bindings (`NAME = expr`), and the evaluation of expressions against them."""

    def __init__(self, tree: ast.Module, nodes: Sequence[ast.AST] | None = None) -> None:
        """`nodes`: the tree's nodes in ast.walk order, when the caller has walked it already."""
        self.assigned: dict[str, ast.expr] = {}
        self.count: dict[str, int] = {}
        self.steps = 0  # nodes evaluated: the unit tests assert this grows linearly
        self._done: dict[str, tuple[Any] | _NotLiteral] = {}  # name -> (value,) or why not
        self._busy: set[str] = set()
        for node in nodes if nodes is not None else ast.walk(tree):
            if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                self.assigned[node.targets[0].id] = node.value
            elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value is not None:
                self.assigned[node.target.id] = node.value
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                self.count[node.id] = self.count.get(node.id, 0) + 1
            elif isinstance(node, ast.arg):
                self.count[node.arg] = self.count.get(node.arg, 0) + 1
            elif isinstance(node, ast.alias):
                bound = node.asname or node.name.split(".")[0]
                self.count[bound] = self.count.get(bound, 0) + 1
            elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value is None:
                self.count[node.target.id] = self.count.get(node.target.id, 0) + 1

    def value(self, node: ast.expr) -> Value:
        """The Value of an argument expression."""
        text = source_of(node)
        line, column = node.lineno, node.col_offset + 1
        via = node.id if isinstance(node, ast.Name) else None
        try:
            value = self._eval(node, 0)
        except _NotLiteral as exc:
            return Value(text, line, column, False, reason=exc.reason, env_var=exc.env_var,
                         env_default=exc.env_default, entries=self._entries(node))
        return Value(text, line, column, True, value, via=via)

    def _entries(self, node: ast.expr) -> dict | None:
        """The literal entries of a dict display (or of the name bound to one) that is not all literal."""
        if isinstance(node, ast.Name):
            node = self.binding(node.id) or node
        if not isinstance(node, ast.Dict):
            return None
        found = {}
        for key, item in zip(node.keys, node.values):
            try:
                name = self._eval(key, 1) if key is not None else None
                found[name] = self._eval(item, 1)
            except _NotLiteral as exc:
                if name is not None and exc.env_default is not None:
                    found[name] = exc.env_default
        return found

    def binding(self, name: str) -> ast.expr | None:
        """The expression NAME is bound to, when it is bound exactly once by a plain assignment."""
        if self.count.get(name) == 1:
            return self.assigned.get(name)
        return None

    def _name(self, name: str, depth: int) -> Any:
        done = self._done.get(name)
        if done is not None:
            if isinstance(done, _NotLiteral):
                raise done
            return done[0]
        bound = self.binding(name)
        if bound is None:
            times = self.count.get(name, 0)
            failure = _NotLiteral(f"{name} is not bound in this module" if times == 0
                                  else f"{name} is bound {times} times in this module" if times > 1
                                  else f"{name} is not bound by a plain assignment")
            self._done[name] = failure
            raise failure
        if name in self._busy:
            raise _NotLiteral(f"{name} refers to itself")
        self._busy.add(name)
        try:
            value = self._eval(bound, depth + 1)
        except _NotLiteral as exc:
            self._done[name] = exc
            raise
        finally:
            self._busy.discard(name)
        self._done[name] = (value,)
        return value

    def _eval(self, node: ast.expr, depth: int) -> Any:
        self.steps += 1
        if depth > MAX_DEPTH:
            raise _NotLiteral("nested too deeply to read")
        if isinstance(node, ast.Constant):
            return node.value
        if isinstance(node, ast.Name):
            return self._name(node.id, depth)
        if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
            items = [self._eval(e, depth + 1) for e in node.elts if not isinstance(e, ast.Starred)]
            if any(isinstance(e, ast.Starred) for e in node.elts):
                raise _NotLiteral(f"computed: {source_of(node)}")
            return tuple(items) if isinstance(node, ast.Tuple) else items
        if isinstance(node, ast.Dict):
            if any(k is None for k in node.keys):
                raise _NotLiteral(f"computed: {source_of(node)}")
            return {self._eval(k, depth + 1): self._eval(v, depth + 1)  # type: ignore[arg-type]
                    for k, v in zip(node.keys, node.values)}
        if isinstance(node, ast.Call) and source_of(node.func) == "dict" and not node.args:
            return {kw.arg: self._eval(kw.value, depth + 1) for kw in node.keywords if kw.arg is not None} \
                if all(kw.arg is not None for kw in node.keywords) else self._fail(node)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd, ast.Not)):
            operand = self._eval(node.operand, depth + 1)
            if isinstance(node.op, ast.Not):
                return not operand
            if isinstance(operand, (int, float)) and not isinstance(operand, bool):
                return -operand if isinstance(node.op, ast.USub) else operand
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            left, right = self._eval(node.left, depth + 1), self._eval(node.right, depth + 1)
            if isinstance(left, str) and isinstance(right, str):
                return left + right
        if isinstance(node, ast.JoinedStr):
            return "".join(self._fstring_part(part, depth) for part in node.values)
        self._env_read(node, depth)
        return self._fail(node)

    def _fstring_part(self, part: ast.expr, depth: int) -> str:
        if isinstance(part, ast.Constant):
            return str(part.value)
        if isinstance(part, ast.FormattedValue) and part.conversion == -1 and part.format_spec is None:
            return str(self._eval(part.value, depth + 1))
        raise _NotLiteral(f"computed: {source_of(part)}")

    def _env_read(self, node: ast.expr, depth: int) -> None:
        """os.getenv("X", d) / os.environ.get("X", d) / os.environ["X"]: raise naming the variable."""
        name: Any = None
        default: Any = None
        if isinstance(node, ast.Call) and source_of(node.func) in ENV_READERS and node.args:
            name = self._quiet(node.args[0], depth)
            if len(node.args) > 1:
                default = self._quiet(node.args[1], depth)
        elif isinstance(node, ast.Subscript) and source_of(node.value) in ("os.environ", "environ"):
            name = self._quiet(node.slice, depth)
        if isinstance(name, str):
            raise _NotLiteral(f"read from the environment variable {name} when the DAG is parsed", name, default)

    def _quiet(self, node: ast.expr, depth: int) -> Any:
        try:
            return self._eval(node, depth + 1)
        except _NotLiteral:
            return None

    @staticmethod
    def _fail(node: ast.expr) -> Any:
        raise _NotLiteral(f"computed: {source_of(node)}")
