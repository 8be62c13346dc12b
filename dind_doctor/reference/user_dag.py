"""`run-reference --via airflow --dag PATH --task ID`: the user's own DAG file in place of the shipped one.

The file is read once, as the user named it (a regular file in its own folder: a link out of that folder, a
FIFO or a device is refused), and that text is what both the preflight's airflow-* checks and the Airflow
container see. Its dag_id is read with `ast` by the DAG reader (airflow/dag_definitions.dag_ids), never by importing it
(importing runs the user's code here).
"""
from __future__ import annotations

from ..records import dataclass
from pathlib import Path

from .options import UsageProblem

# What the run's Airflow image holds (tests/images/build-offline-images.sh, apache/airflow:2.10.3): the
# preflight judges the user's DAG against the provider it will really run on.
RUN_PINS = "apache-airflow==2.10.3\napache-airflow-providers-docker==4.4.5\n"


@dataclass(frozen=True)
class UserDag:
    name: str  # the file's name, kept in the DAG folder (Airflow's import errors name it)
    text: bytes
    dag_id: str
    task_id: str


def read_user_dag(path: Path, task_id: str) -> UserDag:
    """The DAG file the user named, or UsageProblem saying why it cannot be run."""
    from ..airflow.dag_definitions import dag_ids
    from ..project.file_text import read_file

    if path.suffix != ".py":
        raise UsageProblem(f"--dag {path} is not a Python file (a DAG file ends in .py)")
    content = read_file(path, path.name)
    if content.refused in ("missing", "directory"):
        raise UsageProblem(f"--dag {path}: no such file")
    if not content.usable or content.truncated:
        raise UsageProblem(f"--dag {path}: {content.problem or 'too large to be a DAG file'}")
    ids = dag_ids(content.text)
    if len(ids) > 1:
        raise UsageProblem(f"--dag {path} defines several DAGs ({', '.join(ids)}); give a file with one")
    # A file that does not parse keeps its stem: the preflight says why, and --force shows Airflow's error.
    return UserDag(path.name, content.raw, ids[0] if ids else path.stem, task_id)


def place_user_dag(project: Path, dag: UserDag) -> str:
    """Puts the user's DAG in the work copy's DAG folder, alone (the shipped DAG removed), with the provider
    pins of the run's Airflow beside it; returns its path in the copy."""
    import shutil

    folder = project / "airflow" / "dags"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    (folder / dag.name).write_bytes(dag.text)
    (project / "airflow" / "requirements.txt").write_text(RUN_PINS, encoding="utf-8")
    return f"airflow/dags/{dag.name}"
