"""run-reference --dag/--task: the option rules and reading the user's DAG file (no daemon)."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from dind_doctor.reference import run_reference
from dind_doctor.reference.options import Options, UsageProblem
from dind_doctor.airflow.dag_definitions import dag_ids
from dind_doctor.reference.user_dag import place_user_dag, read_user_dag

DAG = 'from airflow import DAG\nwith DAG(dag_id="mine", schedule=None):\n    pass\n'


@pytest.mark.parametrize("kwargs, message", [
    ({"dag": Path("d.py"), "task": "t"}, "--via airflow"),
    ({"via": "airflow", "dag": Path("d.py")}, "go together"),
    ({"via": "airflow", "task": "t"}, "go together"),
    ({"via": "airflow", "dag": Path("d.py"), "task": " "}, "--task is empty"),
])
def test_option_rules(kwargs, message):
    with pytest.raises(UsageProblem, match=message):
        Options(**kwargs)


def test_dag_with_airflow_and_task_is_accepted():
    assert Options(via="airflow", dag=Path("d.py"), task="t").task == "t"


def test_dag_without_via_airflow_exits_2():
    lines: list[str] = []
    assert run_reference(echo=lines.append, dag=Path("d.py"), task="t") == 2
    assert "--via airflow" in lines[0]


@pytest.mark.parametrize("source, ids", [
    (DAG, ["mine"]),
    ('import airflow\nd = airflow.DAG("positional")\n', ["positional"]),
    ("from airflow.decorators import dag\n@dag(schedule=None)\ndef named():\n    pass\n", ["named"]),
    ('from airflow.decorators import dag\n@dag(dag_id="given")\ndef f():\n    pass\n', ["given"]),
    ("def broken(:\n", []),
    ("x = DAG(dag_id=NAME)\n", []),
])
def test_dag_ids_read_with_ast(source, ids):
    assert dag_ids(source) == ids


def test_reads_the_file_and_its_dag_id(tmp_path):
    path = tmp_path / "my_dag.py"
    path.write_text(DAG, encoding="utf-8")
    dag = read_user_dag(path, "extract")
    assert (dag.name, dag.dag_id, dag.task_id, dag.text) == ("my_dag.py", "mine", "extract", DAG.encode())


def test_unparsable_file_keeps_its_stem(tmp_path):
    path = tmp_path / "broken_dag.py"
    path.write_text("def broken(:\n", encoding="utf-8")
    assert read_user_dag(path, "t").dag_id == "broken_dag"


@pytest.mark.parametrize("make, message", [
    (lambda d: d / "missing.py", "no such file"),
    (lambda d: (d / "dir.py").mkdir() or d / "dir.py", "no such file"),
    (lambda d: (d / "notes.txt").write_text(DAG) and d / "notes.txt", "not a Python file"),
])
def test_bad_dag_files_are_usage_problems(tmp_path, make, message):
    with pytest.raises(UsageProblem, match=message):
        read_user_dag(make(tmp_path), "t")


@pytest.mark.skipif(not hasattr(os, "symlink") or os.name == "nt", reason="symlinks")
def test_a_link_out_of_its_folder_is_refused(tmp_path):
    secret = tmp_path / "outside.py"
    secret.write_text("SECRET = 'x'\n", encoding="utf-8")
    (tmp_path / "dags").mkdir()
    link = tmp_path / "dags" / "dag.py"
    link.symlink_to(secret)
    with pytest.raises(UsageProblem) as err:
        read_user_dag(link, "t")
    assert "SECRET" not in str(err.value)


def test_missing_dag_file_exits_2_before_any_run(tmp_path):
    lines: list[str] = []
    assert run_reference(echo=lines.append, via="airflow", dag=tmp_path / "nope.py", task="t") == 2
    assert lines == [f"run-reference: --dag {tmp_path / 'nope.py'}: no such file"]


def test_place_user_dag_replaces_the_shipped_one(tmp_path):
    (tmp_path / "airflow" / "dags").mkdir(parents=True)
    (tmp_path / "airflow" / "dags" / "extractor_sql_dag.py").write_text("shipped", encoding="utf-8")
    path = tmp_path / "u.py"
    path.write_text(DAG, encoding="utf-8")
    assert place_user_dag(tmp_path, read_user_dag(path, "t")) == "airflow/dags/u.py"
    assert sorted(p.name for p in (tmp_path / "airflow" / "dags").iterdir()) == ["u.py"]
    assert "providers-docker==4.4.5" in (tmp_path / "airflow" / "requirements.txt").read_text(encoding="utf-8")
