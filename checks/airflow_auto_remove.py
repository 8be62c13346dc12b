"""airflow-auto-remove: `auto_remove=True/False` against the providers-docker version the project runs."""
from __future__ import annotations

from typing import TYPE_CHECKING

from dind_doctor.airflow.check_bases import ContainerTaskCheck
from dind_doctor.context import Context
from dind_doctor.model import Finding, Status, same_fix

if TYPE_CHECKING:
    from dind_doctor.airflow.dags import DagFile, DockerCall

VALID = ("never", "success", "force")


class AirflowAutoRemove(ContainerTaskCheck):
    """Checks DockerOperator's `auto_remove` against the providers-docker version the project installs.

    apache-airflow-providers-docker 3.x accepts `auto_remove=True` with a deprecation warning (True means
    "success"); 4.0.0 and later raise `ValueError: Invalid auto_remove value True, expected one of 'never',
    'success', or 'force'.` in the operator's constructor, so the whole DAG file fails to import (Broken
    DAG). Which one runs is read from the project: a pin in requirements files or `pip install` lines, else
    the Airflow version (image tag, `apache-airflow==`, constraints URL): 4.0.0 needs Airflow >= 2.9, so an
    unpinned provider with Airflow 2.9 or later resolves to a 4.x. Bool on 4.x: fail; bool on 3.x or an
    unknown version: warn (it breaks on the next upgrade).

    Fix (works on 3.x and 4.x): `auto_remove="success"` for True, `auto_remove="never"` for False, or
    `"force"` to remove the container even when the task fails.
    """

    id = "airflow-auto-remove"
    title = "DockerOperator auto_remove: a string on providers-docker 4.x"

    def task(self, ctx: Context, dag: DagFile, call: DockerCall) -> Finding | None:
        from dind_doctor.airflow.project import at, where
        from dind_doctor.airflow.provider_version import project_provider_version

        value = call.arg("auto_remove")
        if value is None or not value.literal:
            return None
        if isinstance(value.value, bool):
            provider = project_provider_version(ctx)  # resolved once per run
            word = "success" if value.value else "never"
            status = Status.FAIL if provider.series == "4.x" else Status.WARN
            effect = ("the DAG fails to import: ValueError: Invalid `auto_remove` value" if status is Status.FAIL
                      else "deprecated on 3.x, and a ValueError at DAG import from 4.0.0 on")
            return self.finding(
                status, f"{where(call)}: auto_remove={value.value!r} on providers-docker {provider.series}: {effect}",
                detail=f"providers-docker {provider.series}: {provider.reasoning}.",
                location=at(dag, value), evidence={"value": value.text, "providers-docker": provider.series},
                fixes=same_fix(f'{dag.rel}:{value.line}: auto_remove="{word}"'))
        if isinstance(value.value, str) and value.value not in VALID:
            return self.finding(
                Status.FAIL, f"{where(call)}: auto_remove={value.value!r} is none of {', '.join(VALID)}",
                location=at(dag, value), fixes=same_fix(f'{dag.rel}:{value.line}: auto_remove="success"'))
        return None

    def all_well(self, ctx: Context, tasks: int) -> Finding:
        from dind_doctor.airflow.provider_version import project_provider_version

        provider = project_provider_version(ctx)
        return self.finding(Status.OK, f"no bool auto_remove in {tasks} container task(s) "
                                       f"(providers-docker {provider.series})",
                            evidence={"providers-docker": provider.reasoning})
