"""airflow-dags: which DAG files start containers, and whether each one can be read at all."""
from __future__ import annotations

from dind_doctor.check import Check
from dind_doctor.context import Context
from dind_doctor.model import Finding, Location, Status, same_fix


class AirflowDags(Check):
    """Finds the DAG files that start containers and says which could not be read.

    A DAG file here is a Python file that names `DockerOperator` (or `DockerSwarmOperator`), `@task.docker`
    or `docker_task`. It is read with Python's `ast`, never imported: a DAG imports Airflow, which this
    machine need not have, and importing runs its top-level code. Each call's arguments are resolved when
    they are literals or names bound once to literals in the same module (`IMAGE = "..."`, f-strings of
    such names, `**COMMON` dicts written out, and the `default_args` of the `with DAG(...)` block or
    `@dag(...)` function the call is written in, for what the call leaves out); anything computed is
    reported as "not a literal" by the airflow-* checks that need it, and skipped.

    A file that does not parse (a syntax error, or Python 2: Airflow runs Python 3) will not import in
    Airflow either: the scheduler shows "Broken DAG" and none of its tasks exists (fail, at the line).
    A file over the read limit (a generated file) is not checked (warn).

    The summary also says which apache-airflow-providers-docker the project resolves to (from
    requirements files, `pip install` lines, the Airflow image tag, constraints URLs): several airflow-*
    checks depend on it.
    """

    id = "airflow-dags"
    title = "Airflow DAG files that start containers (read with ast, never imported)"
    project_check = True

    def run(self, ctx: Context) -> list[Finding]:
        from dind_doctor.airflow.dags import project_dags
        from dind_doctor.airflow.provider_version import project_provider_version

        dags = project_dags(ctx)
        if not dags:
            return [self.finding(Status.SKIP, "no DAG file starts a container (no DockerOperator or @task.docker)")]
        findings = []
        for dag in dags:
            if dag.problem is None:
                continue
            broken = dag.problem.startswith("does not parse")
            findings.append(self.finding(
                Status.FAIL if broken else Status.WARN, f"{dag.rel}: {dag.problem}",
                detail="Airflow imports every DAG file; one that does not parse shows as a Broken DAG and none "
                       "of its tasks exists." if broken else "",
                location=Location(dag.rel, dag.problem_line),
                fixes=same_fix(f"python -m py_compile \"{dag.rel}\"   (shows the error; fix it for Python 3)")
                if broken else ()))
        provider = project_provider_version(ctx)
        calls = sum(len(d.calls) for d in dags)
        findings.append(self.finding(
            Status.OK, f"{len(dags)} DAG file(s), {calls} container task(s) read; providers-docker: {provider.series}",
            detail=provider.reasoning,
            evidence={"DAG files": ", ".join(f"{d.rel} ({len(d.calls)})" for d in dags[:20]),
                      "providers-docker": f"{provider.series}: {provider.reasoning}"}))
        return findings
