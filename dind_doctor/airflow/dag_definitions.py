"""The DAGs a Python file defines (`DAG(...)`, `with DAG(...)`, `@dag`), read with `ast`: their dag_ids, and
the `default_args` each hands to the tasks written inside it. dags.py reads the container tasks themselves;
run-reference reads a user's DAG file's dag_id here too (reference/user_dag)."""
from __future__ import annotations

import ast
from typing import Sequence

from .literals import Resolver, source_of


def _callee(func: ast.expr) -> str:
    """The name a call or decorator is written with: `DAG`, `models.DAG` -> "DAG"; `dag`; else ""."""
    return func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""


def _dag_call(node: ast.expr) -> ast.Call | None:
    """`DAG(...)` / `models.DAG(...)` / `dag(...)` (the decorator), else None."""
    return node if isinstance(node, ast.Call) and _callee(node.func) in ("DAG", "dag") else None


def _keyword(node: ast.expr | None, name: str, default: ast.expr | None = None) -> ast.expr | None:
    """The `name=` argument of a call (`default` when it has none, or is no call)."""
    return next((k.value for k in node.keywords if k.arg == name), default) if isinstance(node, ast.Call) else default


def dag_ids(text: str) -> list[str]:
    """The dag_ids a Python file's text writes: `DAG("id")`, `DAG(dag_id="id")`, and `@dag` functions (their
    dag_id, else their name), in order, once each. Empty when the text does not parse or names none literally."""
    try:
        nodes = list(ast.walk(ast.parse(text)))
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return []
    found: list[str | None] = []
    for node in nodes:
        if isinstance(node, ast.Call) and _callee(node.func) == "DAG":
            found.append(_string(_keyword(node, "dag_id", node.args[0] if node.args else None)))
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            found += [_string(_keyword(deco, "dag_id")) or node.name for deco in node.decorator_list
                      if _callee(deco.func if isinstance(deco, ast.Call) else deco) == "dag"]
    return list(dict.fromkeys(i for i in found if i is not None))


def _string(node: ast.expr | None) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def dag_defaults(nodes: Sequence[ast.AST], resolver: Resolver) -> dict[int, list[tuple[str, ast.expr]]]:
    """Call node id -> the `default_args` of the DAG it is written in (`with DAG(default_args=...)` body,
    `@dag(default_args=...)` function): Airflow applies them to every operator argument left out."""
    scopes: dict[int, list[tuple[str, ast.expr]]] = {}
    for node in nodes:  # breadth first (ast.walk's order): an inner DAG's scope is written after (over) an outer one
        if isinstance(node, (ast.With, ast.AsyncWith)):
            calls = [_dag_call(item.context_expr) for item in node.items]
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            calls = [_dag_call(deco) for deco in node.decorator_list]
        else:
            continue
        for call in calls:
            given = _keyword(call, "default_args")
            entries = spread_entries(given, resolver) if given is not None else None
            if entries:
                for statement in node.body:
                    for inner in ast.walk(statement):
                        scopes[id(inner)] = entries
    return scopes


def spread_entries(node: ast.expr, resolver: Resolver) -> list[tuple[str, ast.expr]] | None:
    """The (key, expression) pairs of a dict written out (`{...}` or `dict(...)`), directly or through a
    name bound once; None when it is anything else."""
    if isinstance(node, ast.Name):
        node = resolver.binding(node.id) or node
    if isinstance(node, ast.Dict) and all(isinstance(k, ast.Constant) and isinstance(k.value, str)
                                          for k in node.keys):
        return [(k.value, v) for k, v in zip(node.keys, node.values)]  # type: ignore[union-attr]
    if isinstance(node, ast.Call) and source_of(node.func) == "dict" and not node.args \
            and all(kw.arg is not None for kw in node.keywords):
        return [(str(kw.arg), kw.value) for kw in node.keywords]
    return None
