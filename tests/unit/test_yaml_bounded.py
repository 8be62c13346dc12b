"""A YAML alias bomb is refused before anything expands it: in-process (counts), and end to end in a child
with a hard memory limit and a hard timeout (resource.setrlimit in the child; the parent kills it)."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from dind_doctor.project.compose_loader import load_projects
from dind_doctor.project.files import ProjectFiles
from dind_doctor.project.yaml_bounded import (ALIAS_BUDGET, MAX_DEPTH, YamlRefused, depth_bound, expanded_size,
                                               load_bounded, quick_depth_bound)


def bomb(levels: int = 9, width: int = 10) -> str:
    """Billion laughs: each level lists the previous one `width` times (10**9 strings at 9 levels)."""
    lines = ['x-l0: &l0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, levels):
        lines.append(f"x-l{i}: &l{i} [" + ",".join([f"*l{i - 1}"] * width) + "]")
    lines.append(f"services:\n  a:\n    image: x\n    command: *l{levels - 1}\n")
    return "\n".join(lines)


def merge_bomb(levels: int = 24) -> str:
    """The same with merge keys (`<<: *a`), which PyYAML copies while constructing."""
    lines = ["x-m0: &m0 {a0: 1, b0: 2}"]
    for i in range(1, levels):
        lines.append(f"x-m{i}: &m{i}\n  <<: [*m{i - 1}]\n  k{i}: [*m{i - 1}, *m{i - 1}]")
    lines.append("services:\n  a:\n    image: x\n")
    return "\n".join(lines)


@pytest.mark.parametrize("text", [bomb(), merge_bomb()], ids=["lists", "merge-keys"])
def test_bomb_is_refused_counting_distinct_nodes_only(text):
    with pytest.raises(YamlRefused) as refused:
        load_bounded(text)
    assert refused.value.budget and "alias" in str(refused.value)
    from dind_doctor.project.yaml_bounded import _loader_class

    loader = _loader_class(text)(text)
    node = loader.get_single_node()
    loader.dispose()
    expanded, distinct = expanded_size(node)
    assert expanded > ALIAS_BUDGET and distinct < 400  # the work done is linear in the text, not the expansion


def test_aliases_within_budget_are_read():
    doc = load_bounded("x: &a {k: [1, 2, 3]}\nservices:\n  a:\n    <<: *a\n    image: x\n  b: *a\n")
    assert doc.data["services"]["a"]["k"] == [1, 2, 3] and doc.expanded_nodes > doc.distinct_nodes


def test_recursive_alias_is_refused():
    with pytest.raises(YamlRefused):
        load_bounded("a: &a [*a]\n")


def test_deep_nesting_is_a_problem_not_a_crash():
    with pytest.raises(YamlRefused):
        load_bounded("[" * 100_000 + "]" * 100_000)


def test_refused_file_is_a_problem_naming_it(tmp_path: Path):
    (tmp_path / "docker-compose.yml").write_text(bomb())
    (project,) = load_projects(ProjectFiles(tmp_path), {})
    assert project.refused and project.error.kind == "alias-budget" and project.services == {}
    assert project.error.origin.file == tmp_path / "docker-compose.yml"


CHILD = """
import resource, sys, json
# Address space, not resident memory: the checks' threads each reserve stack and malloc arenas (capped by
# MALLOC_ARENA_MAX below); expanding the bomb (5.4 GB measured before the budget) cannot fit in 2 GiB.
resource.setrlimit(resource.RLIMIT_AS, (2 * 1024 ** 3, 2 * 1024 ** 3))
from dind_doctor.cli import main
sys.argv = ["dind-doctor", "check", "--project", sys.argv[1], "--format", "json"]
main()
"""


@pytest.mark.parametrize("maker", [bomb, merge_bomb])
def test_check_refuses_the_bomb_under_a_memory_limit_and_a_hard_timeout(tmp_path: Path, maker):
    project = tmp_path / "p"
    project.mkdir()
    (project / "docker-compose.yml").write_text(maker())
    env = {"PATH": "/usr/bin:/bin", "DOCKER_HOST": "unix:///nonexistent/docker.sock", "HOME": str(tmp_path),
           "MALLOC_ARENA_MAX": "2"}
    proc = subprocess.run([sys.executable, "-c", CHILD, str(project)], capture_output=True, text=True,
                          timeout=60, env=env)
    assert proc.returncode in (0, 1), proc.stderr[-2000:]  # a finding, not a MemoryError or a kill
    report = json.loads(proc.stdout)
    refused = [f for f in report["findings"] if "alias" in f["summary"]]
    assert refused and refused[0]["status"] == "fail"
    assert refused[0]["location"]["path"] == "docker-compose.yml"


@pytest.mark.parametrize("text", ["- " * 100_000 + "x", "? " * 100_000 + "x", "[" * 100_000 + "]" * 100_000,
                                  "a: " * 100_000 + "x"], ids=["dashes", "questions", "brackets", "colons"])
def test_deep_block_nesting_is_refused_not_a_segfault(text):
    # libyaml's composer recurses in C: these overflowed its stack (a segfault) before the depth bound.
    with pytest.raises(YamlRefused):
        load_bounded(text)


def test_ordinary_nesting_takes_the_fast_path():
    text = (Path(__file__).resolve().parents[1] / "fixtures/seed_project/hosted/docker-compose.yml").read_text()
    assert depth_bound(text) <= MAX_DEPTH
    long_line = "services:\n  a:\n    command: " + "x " * 150 + "\n"  # a 300-character command line
    for text in (text, long_line):
        assert quick_depth_bound(text) <= MAX_DEPTH  # ruled out by a few whole-text searches


@pytest.mark.parametrize("text", ["", "a", "- - - x\n  ? [a, {b: c}]\n", "   \x0c    - a: b\n", "[[[\r]]]\n- x: y",
                                  "a:\u2028     - b\n" + " " * 40 + "c: d", "-:-: ? ?: :"])
def test_quick_depth_bound_is_over_the_line_by_line_one(text):
    assert quick_depth_bound(text) >= depth_bound(text)


@pytest.mark.parametrize("text, sizes", [
    ("a: &s x\nb: *s\nc: [*s, *s]\n", (9, 6)),  # a shared scalar is one distinct node, counted at each use
    ("x: &a {k: [1, 2, 3]}\ny: [*a, *a]\n", (22, 10)),
    ("plain: [1, 2]\n", (5, 5)),
])
def test_expanded_and_distinct_nodes(text, sizes):
    from dind_doctor.project.yaml_bounded import _loader_class

    loader = _loader_class(text)(text)
    node = loader.get_single_node()
    loader.dispose()
    assert expanded_size(node) == sizes
