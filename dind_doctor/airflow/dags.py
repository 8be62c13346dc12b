"""Find the project's DAG files that start containers, and model each DockerOperator / `@task.docker` call.

A DAG file is a Python file that names `DockerOperator` (or `DockerSwarmOperator`), `@task.docker` or
`docker_task`. It is parsed with `ast`, never imported. Each call becomes a DockerCall: its keyword
arguments as Values (with file, line and column), `**kwargs` merged when they resolve to a literal dict,
the enclosing DAG's `default_args` for what the call leaves out,
and its `mounts` as MountSpecs (`docker.types.Mount`, positional or keyword, under any import alias). A
file that does not parse (a syntax error, Python 2) or is too large to read whole is a DagFile with a
`problem`, never an exception.
"""
from __future__ import annotations

import ast
import re
from ..records import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Sequence

from .dag_definitions import dag_defaults, spread_entries
from .literals import Resolver, Value, source_of

if TYPE_CHECKING:
    from ..context import Context
    from ..project.files import ProjectFiles

OPERATORS = frozenset({"DockerOperator", "DockerSwarmOperator"})
MOUNT_FIELDS = ("target", "source", "type", "read_only", "consistency", "propagation", "no_copy")
MARKERS = ("DockerOperator", "DockerSwarmOperator", "task.docker", "docker_task")  # `in`: 10x a regex search
MARKERS_SHARE = "ocker"
# Python's comments and string literals (any prefix, triple-quoted or not, escapes honoured), matched
# from the start so that a quote or `#` inside one never starts another: what is left is code.
NOT_CODE = re.compile("|".join((
    r"#[^\n]*",
    # Unrolled loops (a run of ordinary characters, then an escape or a lone quote): linear, no backtracking.
    r'"""[^"\\]*(?:(?:\\.|"(?!""))[^"\\]*)*"""', r"'''[^'\\]*(?:(?:\\.|'(?!''))[^'\\]*)*'''",
    r'"[^"\\\n]*(?:\\.[^"\\\n]*)*"', r"'[^'\\\n]*(?:\\.[^'\\\n]*)*'",  # after the triple forms
)), re.DOTALL)
PY2_HINTS = re.compile(r"^\s*(print\s+[\"'\w]|exec\s+[\"']|except\s+[\w.]+\s*,\s*\w+\s*:)", re.MULTILINE)


@dataclass(frozen=True)
class MountSpec:
    """One entry of `mounts=[...]`."""

    text: str
    line: int
    column: int
    is_mount: bool  # a docker.types.Mount(...) call; False for anything else (a dict, a computed value)
    args: dict[str, Value] = field(default_factory=dict)

    def arg(self, name: str) -> Value | None:
        return self.args.get(name)

    @property
    def mount_type(self) -> str | None:
        """"volume" (Mount's default), "bind", "tmpfs", ...; None when the type is not a literal."""
        given = self.args.get("type")
        if given is None:
            return "volume"
        return given.value if given.literal and isinstance(given.value, str) else None


@dataclass(frozen=True)
class DockerCall:
    """One DockerOperator(...) or @task.docker(...) in a DAG file."""

    kind: str  # "DockerOperator", "DockerSwarmOperator" or "@task.docker"
    name: str  # task_id when it is a literal, else the function name (@task.docker) or "?"
    line: int
    column: int
    args: dict[str, Value]
    mounts: tuple[MountSpec, ...] = ()
    unresolved: tuple[str, ...] = ()  # `**x` that did not resolve to a literal dict: any argument may be there

    def arg(self, name: str) -> Value | None:
        return self.args.get(name)


@dataclass(frozen=True)
class DagFile:
    path: Path
    rel: str
    calls: tuple[DockerCall, ...] = ()
    problem: str | None = None  # why the file could not be read as Python
    problem_line: int | None = None


def mentions_docker(text: str) -> bool:
    """The cheap filter run before parsing: the file names one of the operators or decorators in its
    code. A name met only in comments, docstrings or strings (a module about DAGs, a test holding a DAG
    as text) starts no container: such a file is not parsed (ast.parse and the walks after it are most of
    the cost of a Python-heavy project)."""
    # Every marker holds MARKERS_SHARE: one pass over a file rules out most of a project's Python files
    # (one `in` per marker was four passes over each).
    if MARKERS_SHARE not in text or not any(marker in text for marker in MARKERS):
        return False
    code = NOT_CODE.sub(" ", text)
    return any(marker in code for marker in MARKERS)


class _Aliases:
    """The local names under which the module imports the operators, `Mount` and `task`."""

    def __init__(self, nodes: Sequence[ast.AST]) -> None:
        self.operators: dict[str, str] = {name: name for name in OPERATORS}
        self.mounts: set[str] = {"Mount"}
        self.tasks: set[str] = {"task"}
        self.docker_tasks: set[str] = {"docker_task"}
        for node in nodes:
            if isinstance(node, ast.ImportFrom):
                for alias in node.names:
                    local = alias.asname or alias.name
                    if alias.name in OPERATORS:
                        self.operators[local] = alias.name
                    elif alias.name == "Mount":
                        self.mounts.add(local)
                    elif alias.name == "task":
                        self.tasks.add(local)
                    elif alias.name == "docker_task":
                        self.docker_tasks.add(local)

    def operator(self, func: ast.expr) -> str | None:
        if isinstance(func, ast.Name):
            return self.operators.get(func.id)
        if isinstance(func, ast.Attribute) and func.attr in OPERATORS:
            return func.attr
        return None

    def is_mount(self, func: ast.expr) -> bool:
        return (isinstance(func, ast.Name) and func.id in self.mounts) or \
            (isinstance(func, ast.Attribute) and func.attr == "Mount")

    def is_task_docker(self, func: ast.expr) -> bool:
        """`task.docker` (any alias of `task`), `docker_task`."""
        if isinstance(func, ast.Attribute) and func.attr == "docker":
            return isinstance(func.value, ast.Name) and func.value.id in self.tasks
        return isinstance(func, ast.Name) and func.id in self.docker_tasks


def read_dag(path: Path, rel: str, text: str, truncated: bool = False) -> DagFile | None:
    """The DagFile of one Python file, or None when it starts no container."""
    if not mentions_docker(text):
        return None
    if truncated:
        return DagFile(path, rel, problem="too large to read whole (a generated file?): its DockerOperator "
                                          "calls are not checked")
    try:
        tree = ast.parse(text, filename=rel)
    except SyntaxError as exc:
        hint = " (this looks like Python 2: Airflow runs Python 3, so the DAG will not import)" \
            if "Missing parentheses" in str(exc.msg) or PY2_HINTS.search(text) else ""
        return DagFile(path, rel, problem=f"does not parse as Python: {exc.msg}{hint}", problem_line=exc.lineno)
    except (RecursionError, MemoryError, ValueError) as exc:
        return DagFile(path, rel, problem=f"cannot be read as Python ({type(exc).__name__}: nested too deeply "
                                          "or not text)")
    calls = tuple(find_calls(tree))
    return DagFile(path, rel, calls)


def find_calls(tree: ast.Module) -> Iterable[DockerCall]:
    # One walk of the tree, shared by every pass below: ast.walk is most of the time spent per file.
    nodes = list(ast.walk(tree))
    aliases = _Aliases(nodes)
    resolver = Resolver(tree, nodes)
    decorated = {id(deco): node.name for node in nodes
                 if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) for deco in node.decorator_list}
    defaults = dag_defaults(nodes, resolver)
    for node in nodes:
        if isinstance(node, ast.Call):
            kind = aliases.operator(node.func)
            if kind is not None:
                yield _call(kind, node, node, aliases, resolver, "?", defaults.get(id(node), []))
            elif aliases.is_task_docker(node.func):
                yield _call("@task.docker", node, node, aliases, resolver, decorated.get(id(node), "?"),
                            defaults.get(id(node), []))
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for deco in node.decorator_list:  # bare `@task.docker` (no call): its arguments are all defaults
                if not isinstance(deco, ast.Call) and aliases.is_task_docker(deco):
                    yield DockerCall("@task.docker", node.name, deco.lineno, deco.col_offset + 1, {})


def _call(kind: str, node: ast.Call, at: ast.expr, aliases: _Aliases, resolver: Resolver,
          fallback: str, defaults: list[tuple[str, ast.expr]]) -> DockerCall:
    args: dict[str, Value] = {}
    unresolved: list[str] = []
    nodes: dict[str, ast.expr] = {}
    for kw in node.keywords:
        if kw.arg is not None:
            nodes[kw.arg] = kw.value
            continue
        entries = spread_entries(kw.value, resolver)  # **kwargs: merged when it is a dict written out
        if entries is None:
            spread = resolver.value(kw.value)
            unresolved.append(f"**{spread.text} ({spread.reason or 'not a dict literal'})")
        else:
            for key, value in entries:
                nodes.setdefault(key, value)
    for key, value in defaults:  # the DAG's default_args fill what the call leaves out
        nodes.setdefault(key, value)
    for key, value in nodes.items():
        args[key] = resolver.value(value)
    mounts = _mounts(nodes.get("mounts"), resolver, aliases)
    task_id = args.get("task_id")
    name = task_id.value if task_id is not None and task_id.literal and isinstance(task_id.value, str) else fallback
    return DockerCall(kind, name, at.lineno, at.col_offset + 1, args, tuple(mounts), tuple(unresolved))


def _mounts(given: ast.expr | None, resolver: Resolver, aliases: _Aliases) -> list[MountSpec]:
    if isinstance(given, ast.Name):  # mounts=MOUNTS, bound once to a list
        given = resolver.binding(given.id) or given
    if not isinstance(given, (ast.List, ast.Tuple)):
        return []
    specs = []
    for item in given.elts:
        if isinstance(item, ast.Name):
            item = resolver.binding(item.id) or item
        if isinstance(item, ast.Call) and aliases.is_mount(item.func):
            margs = {MOUNT_FIELDS[i]: resolver.value(a) for i, a in enumerate(item.args[: len(MOUNT_FIELDS)])
                     if not isinstance(a, ast.Starred)}
            margs.update({kw.arg: resolver.value(kw.value) for kw in item.keywords if kw.arg is not None})
            specs.append(MountSpec(source_of(item), item.lineno, item.col_offset + 1, True, margs))
        else:
            specs.append(MountSpec(source_of(item), item.lineno, item.col_offset + 1, False))
    return specs


def find_dags(files: ProjectFiles) -> list[DagFile]:
    """The DAG files among the project's Python files (a ProjectFiles: bounded walk, read-once cache)."""
    found = []
    for path in files.by_suffix(".py"):
        content = files.read(path)
        if not content.usable:
            continue
        dag = read_dag(path, content.rel, content.text, content.truncated)
        if dag is not None:
            found.append(dag)
    return found


def project_dags(ctx: Context) -> list[DagFile]:
    """The project's DAG files, read once per run (the dags part of ctx.project_model)."""
    return ctx.project_model.dags
