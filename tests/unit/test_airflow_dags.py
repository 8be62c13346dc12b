"""DAG files read with ast: a table of DAG sources and what the reader must model from each."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

from dind_doctor.airflow.dags import read_dag
from dind_doctor.airflow.literals import Resolver

HEADER = "from airflow.providers.docker.operators.docker import DockerOperator\nfrom docker.types import Mount\n"


def one_call(source: str):
    dag = read_dag(Path("dags/d.py"), "dags/d.py", source)
    assert dag is not None and dag.problem is None, dag
    (call,) = dag.calls
    return call


# (source, argument, expected literal value or None for "not a literal", expected line)
KEYWORD_ROWS = [
    (HEADER + 'DockerOperator(task_id="t", image="img", auto_remove=True)\n', "auto_remove", True, 3),
    (HEADER + 'DockerOperator(task_id="t",\n    image="img",\n    auto_remove="never")\n', "auto_remove", "never", 5),
    (HEADER + 'IMG = "extractor_sql_dag_img"\nDockerOperator(task_id="t", image=IMG)\n', "image",
     "extractor_sql_dag_img", 4),
    (HEADER + 'URL = "tcp://host.docker.internal" + ":2375"\nDockerOperator(task_id="t", docker_url=URL)\n',
     "docker_url", "tcp://host.docker.internal:2375", 4),
    (HEADER + 'P = "proj"\nDockerOperator(task_id="t", image=f"{P}_img")\n', "image", "proj_img", 4),
    (HEADER + 'from dotenv import dotenv_values\nDockerOperator(task_id="t", env_file=dotenv_values("/a/.env"))\n',
     "env_file", None, 4),
    (HEADER + 'X = 1\nX = 2\nDockerOperator(task_id="t", image=X)\n', "image", None, 5),
    (HEADER + 'DockerOperator(task_id="t", mount_tmp_dir=False, network_mode="bridge")\n', "mount_tmp_dir",
     False, 3),
    (HEADER + 'ENV = {"A": "1"}\nDockerOperator(task_id="t", environment=ENV, private_environment={"S": "x"})\n',
     "environment", {"A": "1"}, 4),
    (HEADER + 'import airflow.providers.docker.operators.docker as d\nd.DockerOperator(task_id="t", image="i")\n',
     "image", "i", 4),
    (HEADER.replace("import DockerOperator", "import DockerOperator as DO") + 'DO(task_id="t", image="i")\n',
     "image", "i", 3),
]


@pytest.mark.parametrize("source,name,expected,line", KEYWORD_ROWS)
def test_keyword_forms(source, name, expected, line):
    value = one_call(source).arg(name)
    assert value is not None and value.line == line
    if expected is None:
        assert not value.literal and value.describe().startswith("not a literal")
    else:
        assert value.literal and value.value == expected


def test_not_a_literal_says_why():
    call = one_call(HEADER + 'X = 1\nX = 2\nDockerOperator(task_id="t", image=X, command=build())\n')
    assert "bound 2 times" in call.arg("image").reason
    assert call.arg("command").reason == "computed: build()"


def test_environment_reads_name_the_variable():
    call = one_call(HEADER + 'import os\nURL = os.getenv("DOCKER_HOST", "unix://var/run/docker.sock")\n'
                    'DockerOperator(task_id="t", docker_url=URL, image=os.environ["IMG"])\n')
    url = call.arg("docker_url")
    assert (url.literal, url.env_var, url.env_default) == (False, "DOCKER_HOST", "unix://var/run/docker.sock")
    assert call.arg("image").env_var == "IMG"


MOUNT_ROWS = [
    ('Mount(source="proj_shared_app", target="/home/app", type="volume")', "proj_shared_app", "/home/app", "volume"),
    ('Mount("/home/app", "proj_shared_app")', "proj_shared_app", "/home/app", "volume"),
    ('Mount("/data", "C:\\\\Users\\\\me\\\\app", "bind")', "C:\\Users\\me\\app", "/data", "bind"),
    ('Mount(target="/x", source=SRC, type="bind")', "/opt/airflow/app", "/x", "bind"),
]


@pytest.mark.parametrize("mount,source,target,kind", MOUNT_ROWS)
def test_mount_positional_and_keyword(mount, source, target, kind):
    call = one_call(HEADER + f'SRC = "/opt/airflow/app"\nDockerOperator(task_id="t", mounts=[{mount}])\n')
    (spec,) = call.mounts
    assert spec.is_mount and spec.line == 4
    assert (spec.arg("source").value, spec.arg("target").value, spec.mount_type) == (source, target, kind)


def test_mount_alias_and_module_forms():
    source = ("from airflow.providers.docker.operators.docker import DockerOperator\n"
              "from docker.types import Mount as M\nimport docker\n"
              "SHARED = M(source='a_vol', target='/a')\n"
              "MOUNTS = [SHARED, docker.types.Mount(target='/b', source='b_vol'), {'x': 1}]\n"
              "DockerOperator(task_id='t', mounts=MOUNTS)\n")
    call = one_call(source)
    assert [(m.is_mount, m.arg("source").value if m.is_mount else None) for m in call.mounts] == \
        [(True, "a_vol"), (True, "b_vol"), (False, None)]
    assert call.mounts[0].line == 4


def test_mount_type_not_a_literal():
    call = one_call(HEADER + 'DockerOperator(task_id="t", mounts=[Mount(target="/a", source="v", type=kind())])\n')
    assert call.mounts[0].mount_type is None


def test_kwargs_literal_dict_merged_and_unresolved_reported():
    source = HEADER + ('COMMON = dict(auto_remove=True, docker_url="tcp://h:2375", '
                       'mounts=[Mount(source="v", target="/a")])\n'
                       'DockerOperator(task_id="t", image="i", **COMMON)\n'
                       'DockerOperator(task_id="u", image="i", **make())\n')
    dag = read_dag(Path("d.py"), "d.py", source)
    first, second = sorted(dag.calls, key=lambda c: c.line)
    assert first.arg("auto_remove").value is True and first.arg("docker_url").value == "tcp://h:2375"
    assert [m.arg("source").value for m in first.mounts] == ["v"]
    assert second.unresolved and "make()" in second.unresolved[0]


def test_task_docker_decorator_forms():
    source = ("from airflow.decorators import task\n"
              "from airflow.providers.docker.decorators.docker import docker_task\n"
              "@task.docker(image='mod_img', auto_remove=True, mount_tmp_dir=False)\n"
              "def extract():\n    pass\n"
              "@task.docker\ndef bare():\n    pass\n"
              "@docker_task(image='other')\ndef other():\n    pass\n")
    dag = read_dag(Path("d.py"), "d.py", source)
    by_name = {c.name: c for c in dag.calls}
    assert set(by_name) == {"extract", "bare", "other"}
    assert by_name["extract"].kind == "@task.docker" and by_name["extract"].line == 3
    assert by_name["extract"].arg("auto_remove").value is True
    assert by_name["bare"].args == {} and by_name["other"].arg("image").value == "other"


def test_decorated_operator_inside_dag_function():
    source = ("from airflow.decorators import dag\n" + HEADER +
              "@dag(schedule=None)\ndef pipeline():\n    DockerOperator(task_id='in_fn', image='i', auto_remove=False)\n"
              "pipeline()\n")
    call = one_call(source)
    assert call.name == "in_fn" and call.arg("auto_remove").value is False and call.line == 6


def test_syntax_error_and_python2_are_problems_not_crashes():
    broken = read_dag(Path("d.py"), "d.py", HEADER + "DockerOperator(task_id='t',\n")
    assert broken.problem.startswith("does not parse") and broken.problem_line and broken.calls == ()
    py2 = read_dag(Path("d.py"), "d.py", HEADER + 'print "starting"\nDockerOperator(task_id="t")\n')
    assert "Python 2" in py2.problem and py2.problem_line == 3


def test_files_without_docker_are_not_dags_and_huge_files_are_a_problem():
    assert read_dag(Path("x.py"), "x.py", "import os\nprint(os.getcwd())\n") is None
    big = read_dag(Path("g.py"), "g.py", HEADER + "x = 1\n", truncated=True)
    assert big.problem.startswith("too large")
    deep = read_dag(Path("n.py"), "n.py", HEADER + "x = " + "[" * 5000 + "]" * 5000 + "\n")
    assert deep.problem is not None and deep.calls == ()


def test_generated_file_is_read_in_linear_steps():
    """A chain of names, each used by an operator: memoised resolution keeps the work linear."""
    def steps(n: int) -> int:
        lines = [HEADER, 'N0 = "img"']
        lines += [f"N{i} = N{i - 1}" for i in range(1, n)]
        lines += [f"DockerOperator(task_id='t{i}', image=N{i})" for i in range(n)]
        tree = ast.parse("\n".join(lines))
        resolver = Resolver(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                for kw in node.keywords:
                    assert resolver.value(kw.value).literal
        return resolver.steps

    small, large = steps(200), steps(2000)
    assert large <= small * 10 * 1.1  # ten times the input: at most ten times the work (quadratic: 100x)
    dag = read_dag(Path("g.py"), "g.py", "\n".join(
        [HEADER] + [f"DockerOperator(task_id='t{i}', image='i{i}')" for i in range(3000)]))
    assert len(dag.calls) == 3000


def test_self_reference_is_not_a_literal():
    call = one_call(HEADER + "A = B\nB = A\nDockerOperator(task_id='t', image=A)\n")
    assert not call.arg("image").literal


def test_default_args_of_the_enclosing_dag_fill_what_the_call_leaves_out():
    source = ("from airflow import DAG\nfrom airflow.decorators import dag\n" + HEADER +
              "ARGS = {'auto_remove': True, 'mount_tmp_dir': False}\n"
              "with DAG('a', default_args=ARGS):\n"
              "    DockerOperator(task_id='in_a', image='i')\n"
              "    DockerOperator(task_id='own', image='i', auto_remove='never')\n"
              "@dag(default_args=dict(docker_url='tcp://h:2375'))\n"
              "def b():\n    DockerOperator(task_id='in_b', image='i')\n"
              "DockerOperator(task_id='outside', image='i')\n")
    calls = {c.name: c for c in read_dag(Path("d.py"), "d.py", source).calls}
    assert calls["in_a"].arg("auto_remove").value is True and calls["in_a"].arg("auto_remove").line == 5
    assert calls["in_a"].arg("mount_tmp_dir").value is False
    assert calls["own"].arg("auto_remove").value == "never"
    assert calls["in_b"].arg("docker_url").value == "tcp://h:2375" and calls["in_b"].arg("auto_remove") is None
    assert calls["outside"].args.keys() == {"task_id", "image"}



def test_the_dags_that_give_default_args_are_the_dags_whose_ids_are_read():
    """One reading of DAG definitions (airflow/dag_definitions): the DAGs whose default_args reach their
    tasks are the DAGs run-reference --dag names by id, written any of the ways Airflow accepts."""
    from dind_doctor.airflow.dag_definitions import dag_ids

    source = ("from airflow import DAG, models\nfrom airflow.decorators import dag\n" + HEADER +
              "with models.DAG('a', default_args={'auto_remove': True}):\n"
              "    DockerOperator(task_id='in_a', image='i')\n"
              "@dag(dag_id=NAMES.b, default_args={'auto_remove': 'never'})\n"
              "def b():\n    DockerOperator(task_id='in_b', image='i')\n"
              "@dag\ndef c():\n    pass\n"
              "DAG(dag_id='a')\n")
    calls = {c.name: c for c in read_dag(Path("d.py"), "d.py", source).calls}
    assert calls["in_a"].arg("auto_remove").value is True and calls["in_b"].arg("auto_remove").value == "never"
    assert sorted(dag_ids(source)) == ["a", "b", "c"]  # once each; a dag_id not written literally: the function name
    assert dag_ids("x = " + "[" * 5000 + "]" * 5000 + "\n") == []  # too deep to parse: no id, no traceback

def test_a_dag_file_is_walked_once(monkeypatch):
    """The alias, binding, decorator, default_args and call passes share one ast.walk of the module
    (each walk visits every node: five walks were five times the work on a large file)."""
    walks: list[str] = []
    real_walk = ast.walk

    def counting_walk(node):
        walks.append(type(node).__name__)
        return real_walk(node)

    monkeypatch.setattr(ast, "walk", counting_walk)
    dag = read_dag(Path("g.py"), "g.py", "\n".join(
        [HEADER, 'IMG = "i"'] + [f"DockerOperator(task_id='t{i}', image=IMG)" for i in range(50)]))
    assert len(dag.calls) == 50 and all(c.args["image"].value == "i" for c in dag.calls)
    assert walks == ["Module"]


# (source, is read as a DAG): the operator names count only in code, never in comments or strings.
CODE_ONLY_ROWS = [
    ('"""Checks each DockerOperator(...) call."""\nimport os\n', False),
    ("# a DockerOperator would go here\nx = 1\n", False),
    ("SOURCE = 'from x import DockerOperator\\nDockerOperator(task_id=\"t\")'\n", False),
    ("SOURCE = '''@task.docker\n    def f(): ...'''\n", False),
    ('s = "a # b"; t = "\\"" \nDockerOperator(task_id="t")\n', True),  # a `#` or an escaped quote in a string
    ("s = '''it's \"\"\" inside'''\nDockerOperator(task_id='t')\n", True),  # the other quote inside a triple
    ("r = r'C:\\\\'\n@task.docker(image='i')\ndef f(): ...\n", True),
    ("from airflow.decorators import docker_task\n", True),
    (HEADER + "DockerOperator(task_id='t')  # DockerOperator\n", True),
]


@pytest.mark.parametrize("source,is_dag", CODE_ONLY_ROWS)
def test_operator_names_count_only_in_code(source, is_dag, monkeypatch):
    """A module that only talks about DockerOperator (a docstring, a test holding a DAG as text) is not
    parsed: ast.parse and the walks after it were most of the run on a Python-heavy project."""
    parsed: list[str] = []
    real_parse = ast.parse
    monkeypatch.setattr(ast, "parse", lambda text, filename="<unknown>": parsed.append(filename)
                        or real_parse(text, filename=filename))
    dag = read_dag(Path("m.py"), "m.py", source)
    assert (dag is not None) is is_dag
    assert parsed == (["m.py"] if is_dag else [])


def test_every_marker_holds_the_shared_part_searched_first():
    from dind_doctor.airflow.dags import MARKERS, MARKERS_SHARE, mentions_docker

    assert all(MARKERS_SHARE in marker for marker in MARKERS)
    assert [mentions_docker(text) for text in ("import os\n", "# DockerOperator\nx = 1\n",
                                               "from airflow.decorators import task\n@task.docker(image='x')\n",
                                               "op = DockerSwarmOperator(task_id='t')\n")] == [False, False, True, True]
