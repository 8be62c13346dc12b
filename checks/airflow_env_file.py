"""airflow-env-file: DockerOperator's `env_file` takes a .env's CONTENT (or a template name), never a path."""
from __future__ import annotations

import re
from typing import TYPE_CHECKING

from dind_doctor.airflow.check_bases import ContainerTaskCheck
from dind_doctor.context import Context
from dind_doctor.model import Finding, Status, same_fix

if TYPE_CHECKING:
    from dind_doctor.airflow.dags import DagFile, DockerCall


def looks_like_path(value: str) -> bool:
    """Ends in .env, or holds a path separator, and holds no `=` (so it is not .env content)."""
    return "=" not in value and "\n" not in value and \
        (value.lower().endswith(".env") or "/" in value or "\\" in value)


def read_path(text: str) -> str:
    """The literal path handed to dotenv_values(...) in the DAG, or the chapter's own."""
    match = re.search(r"dotenv_values\(\s*(?:dotenv_path\s*=\s*)?[rR]?[\"']([^\"']+)", text)
    return match.group(1) if match else "/home/app/.env"


def working_forms(rel: str, line: int, path: str) -> str:
    folder = path.replace("\\", "/").rsplit("/", 1)[0] or "/"
    name = path.replace("\\", "/").rsplit("/", 1)[-1]
    return (f"{rel}:{line}: one of the two forms that work:\n"
            f'1) a template NAME: `template_searchpath=["{folder}"]` on the DAG and `env_file="{name}"` '
            "(rendered on the worker at run time: the file must exist in the worker container);\n"
            '2) the CONTENT as a string, rendered at run time: `env_file="{{ var.value.extractor_env }}"` '
            "(an Airflow Variable holding the .env text), or a dict in `private_environment=` "
            "(never shown in the UI).")


class AirflowEnvFile(ContainerTaskCheck):
    """Checks what DockerOperator's `env_file` argument will really hold.

    `env_file` is a templated field and `.env` is in the operator's `template_ext`: a value ending in
    `.env` is taken as a Jinja template NAME, looked up in the DAG folder and `template_searchpath`, never
    as a path. `env_file="/home/app/.env"` therefore fails at run time with `jinja2.exceptions.
    TemplateNotFound: '/home/app/.env' not found in search path: '/opt/airflow/dags'` (fail). Any other
    string is parsed as .env CONTENT with `dotenv_values(stream=StringIO(...))`: a path that does not end
    in `.env` (`/home/app/config`) holds no `=` and silently gives no variable (warn).

    A computed value such as `dotenv_values("/home/app/.env")` runs when the DAG is PARSED, on the
    scheduler and on every worker, so the file must exist in each Airflow container (the chapter mounts the
    module's volume on every Airflow service for this alone), and it returns a dict where the argument
    takes the file's text (warn).

    The two forms that work: (1) a template name found in `template_searchpath` (`template_searchpath=
    ["/home/app"]`, `env_file=".env"`); (2) the content as a string rendered at run time (an Airflow
    Variable: `env_file="{{ var.value.extractor_env }}"`), or a dict in `private_environment=`.
    Values are never printed.
    """

    id = "airflow-env-file"
    title = "DockerOperator env_file: content or template name, not a path"

    def task(self, ctx: Context, dag: DagFile, call: DockerCall) -> Finding | None:
        from dind_doctor.airflow.project import at, where

        value = call.arg("env_file")
        if value is None:
            return None
        if value.literal and isinstance(value.value, str) and looks_like_path(value.value):
            template = value.value.lower().endswith(".env")
            effect = (f"Airflow takes {value.value!r} as a Jinja template name: jinja2.exceptions."
                      "TemplateNotFound at run time, the file is never read from that path" if template
                      else f"Airflow parses {value.value!r} as .env CONTENT: no `=`, so no variable at all")
            return self.finding(
                Status.FAIL if template else Status.WARN, f"{where(call)}: env_file is a path: {effect}",
                location=at(dag, value), evidence={"env_file": value.text},
                fixes=same_fix(working_forms(dag.rel, value.line, value.value)))
        if not value.literal and "dotenv_values(" in value.text:
            return self.finding(
                Status.WARN, f"{where(call)}: env_file={value.text} reads the file when the DAG is parsed, "
                             "on the scheduler and every worker, and gives a dict where env_file takes text",
                detail="The .env must then exist in every Airflow container (hence a code volume mounted on "
                       "all of them), and its values end up in the DAG's parse-time state.",
                location=at(dag, value), evidence={"env_file": value.text},
                fixes=same_fix(working_forms(dag.rel, value.line, read_path(value.text))))
        return None

    def all_well(self, ctx: Context, tasks: int) -> Finding:
        return self.finding(Status.OK, f"no env_file path in {tasks} container task(s)")
