"""The two shapes most airflow-* checks share, so that each check holds only its own judgement:

- ContainerTaskCheck: one look at each container task of the DAGs (a DockerOperator or a @task.docker);
  SKIP when the project has none, the findings of the tasks that need one, else one OK.
- DagMountCheck: one finding per `Mount(type=KIND)` of the DAGs; SKIP when no DAG mounts one, and a source
  not written as a string literal is said so instead of judged.

The DAG readers are imported when a check runs, never when the registry loads the checks (start-up time).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from ..check import Check
from ..model import Finding, Status

if TYPE_CHECKING:
    from ..context import Context
    from .dags import DagFile, DockerCall, MountSpec
    from .literals import Value

NO_CONTAINER_TASK = "no DockerOperator or @task.docker in the project"


class ContainerTaskCheck(Check):
    """Base of a check that judges each container task of the DAGs on its own."""

    project_check = True

    def run(self, ctx: "Context") -> list[Finding]:
        from .project import dag_calls

        calls = list(dag_calls(ctx))
        if not calls:
            return [self.finding(Status.SKIP, NO_CONTAINER_TASK)]
        found = [finding for dag, call in calls if (finding := self.task(ctx, dag, call)) is not None]
        return found or [self.all_well(ctx, len(calls))]

    def task(self, ctx: "Context", dag: "DagFile", call: "DockerCall") -> Finding | None:
        """The finding for one task, or None when the task needs none."""
        raise NotImplementedError

    def all_well(self, ctx: "Context", tasks: int) -> Finding:
        """The OK finding when none of the `tasks` container tasks needed one."""
        raise NotImplementedError


class DagMountCheck(Check):
    """Base of a check that judges each `Mount(source=..., type=kind)` of the DAGs by its literal source."""

    project_check = True
    kind: ClassVar[str]  # the Mount type read: "bind" or "volume"
    none_found: ClassVar[str]  # the SKIP summary when no DAG mounts one

    def run(self, ctx: "Context") -> list[Finding]:
        from .project import dag_mounts

        mounts = dag_mounts(ctx, self.kind)
        if not mounts:
            return [self.finding(Status.SKIP, self.none_found)]
        return [self._one(ctx, dag, call, mount) for dag, call, mount in mounts]

    def _one(self, ctx: "Context", dag: "DagFile", call: "DockerCall", mount: "MountSpec") -> Finding:
        source = mount.arg("source")
        if source is None or not source.literal or not isinstance(source.value, str):
            return self.unread_source(dag, call, mount, source)
        return self.mount(ctx, dag, call, mount, source, source.value)

    def unread_source(self, dag: "DagFile", call: "DockerCall", mount: "MountSpec", source: "Value | None") -> Finding:
        """The finding for a source that is missing or not a string literal (a variable, an expression)."""
        from .project import at, where

        return self.finding(Status.SKIP, f"{where(call)}: {self.kind} source "
                                         f"{source.describe() if source else 'missing'}: not checked",
                            location=at(dag, source or mount))

    def mount(self, ctx: "Context", dag: "DagFile", call: "DockerCall", mount: "MountSpec", source: "Value",
              path: str) -> Finding:
        """The finding for a mount whose source is the string literal `path` (written at `source`)."""
        raise NotImplementedError
