"""airflow-module-image: the image each DAG task runs: built by which file of the project, and present."""
from __future__ import annotations


from dind_doctor.check import Check
from dind_doctor.context import Context
from dind_doctor.model import Finding, Fix, Status, fixes



def builders(ctx: Context) -> dict[str, list[str]]:
    """image ref (normalized) -> where the project builds it (compose services with `build:`, scripts)."""
    from dind_doctor.airflow.project import compose_models, normalized_image as normalized

    found: dict[str, list[str]] = {}
    for cf, model in compose_models(ctx):
        for service in model.services.values():
            if service.build_context:
                dockerfile = service.dockerfile or "Dockerfile"
                found.setdefault(normalized(service.image), []).append(
                    f"{cf.rel} service {service.name} (Dockerfile {dockerfile})")
    for dialect in ("powershell", "bash", "cmd"):  # scripts and their Markdown code blocks, one reader
        for source in ctx.project_model.scripts.of(dialect).sources:
            for command in source.docker_commands if "build" in source.text else []:
                for tag in command.tags:
                    found.setdefault(normalized(tag), []).append(f"{source.rel}:{command.line}")
    return found


class AirflowModuleImage(Check):
    """Tells, for each image a DAG task runs, which file of the project builds it, and whether the daemon has it.

    DockerOperator runs `image=` as given; it pulls it when the daemon lacks it (a local name such as
    `extractor_sql_dag_img` then fails: `pull access denied` / `repository does not exist`). The project
    builds an image in a compose service with `build:` (tagged with its `image:`), or a script's
    `docker build -t NAME`. A DAG image the project never builds: warn (it must come from a registry).
    With a daemon answering, the image must be on it (fail when absent, with the build command); note that
    the daemon asked is the one dind-doctor reaches, which is the DAG's when both use the same endpoint.

    Reminder: an image that holds its code (`COPY app/ .`) needs no volume to bring the code in; a named
    volume mounted over that path HIDES the image's code with an older copy.
    """

    id = "airflow-module-image"
    title = "The module images the DAGs run: built where, present on the daemon"
    project_check = True
    time_limit = 45.0

    def run(self, ctx: Context) -> list[Finding]:
        from dind_doctor.airflow.project import at, dag_calls, normalized_image, where

        images = [(dag, call, value) for dag, call in dag_calls(ctx)
                  for value in (call.arg("image"),) if value is not None]
        if not images:
            return [self.finding(Status.SKIP, "no DAG task names an image")]
        built = builders(ctx)
        live = ctx.engine_error is None
        findings = []
        seen: set[str] = set()
        for dag, call, value in images:
            if not value.literal or not isinstance(value.value, str):
                findings.append(self.finding(Status.SKIP, f"{where(call)}: image {value.describe()}",
                                             location=at(dag, value)))
                continue
            ref = normalized_image(value.value)
            if ref in seen:
                continue
            seen.add(ref)
            by = built.get(ref, [])
            evidence = {"image": value.value, "built by": "; ".join(by) or "nothing in the project"}
            present = self._present(ctx, value.value) if live else None
            if present is not None:
                evidence["on the daemon"] = "yes" if present else "no"
            build_cmd = self._build_fix(by, value.value)
            if present is False:
                findings.append(self.finding(
                    Status.FAIL, f"{where(call)}: image {value.value} is not on the daemon: the task will try to "
                                 "pull it and fail", location=at(dag, value), evidence=evidence, fixes=build_cmd))
            elif not by:
                findings.append(self.finding(
                    Status.WARN, f"{where(call)}: no compose file or script of the project builds {value.value}",
                    detail="It must then come from a registry the daemon can pull from.",
                    location=at(dag, value), evidence=evidence))
            else:
                findings.append(self.finding(
                    Status.OK, f"{where(call)}: {value.value} is built by {by[0]}"
                               + (", and the daemon has it" if present else ""),
                    location=at(dag, value), evidence=evidence))
        return findings

    @staticmethod
    def _present(ctx: Context, ref: str) -> bool | None:
        from dind_doctor.engine import volumes
        from dind_doctor.engine.errors import ProbeError

        try:
            return volumes.image_info(ctx, ref) is not None
        except ProbeError:
            return None

    @staticmethod
    def _build_fix(by: list[str], image: str) -> tuple[Fix, ...]:
        if by and " service " in by[0]:
            compose_file, _, rest = by[0].partition(" service ")
            service = rest.split(" ", 1)[0]
            text = f'docker compose -f "{compose_file}" build {service}'
            return fixes(powershell=text, cmd=text, bash=text)
        text = f"docker build -t {image} <the module's folder>"
        return fixes(powershell=text, cmd=text, bash=text)
