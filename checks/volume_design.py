"""volume-design: a named volume mounted over a folder the image fills, and a service that plays no part."""
from __future__ import annotations

from typing import TYPE_CHECKING

from dind_doctor.check import Check
from dind_doctor.context import Context
from dind_doctor.model import Finding, Location, Status, fixes, same_fix
from dind_doctor.project.setup_model import in_folder, raw_service

if TYPE_CHECKING:
    from dind_doctor.project.compose_model import ComposeProject, Service, ServiceMount
    from dind_doctor.project.dockerfile_model import Instruction

IDLE_COMMANDS = ("tail -f /dev/null", "sleep infinity", "sleep inf")


class VolumeDesign(Check):
    """A named volume over a folder the image fills, and a service that plays no part, before anything runs.

    - `extractor_sql_dag_shared_app:/home/app` over an image whose Dockerfile does `WORKDIR /home/app` and
      `COPY app/ .`: the FIRST `docker compose up` copies the image's files into the empty volume; from then
      on the volume hides the image's folder, and every later `up --build` runs the OLD code. This warns
      before the volume exists; once it exists and differs, named-volume-visibility fails.
      Fixes: drop the volume (the image already holds the code); or `nocopy: true` (the volume stays empty
      and hides the code: only for data); or `docker compose down -v` after each build.
    - A service such as `first_container` (busybox, the same volume, `tail -f /dev/null`): it was meant to
      keep the volume alive or share it. It does neither: a named volume lives until `docker volume rm`
      or `down -v`, whether a container uses it or not, and this service fills nothing. It only idles.
    """

    id = "volume-design"
    title = "Named volume over a folder the image fills; services that play no part"
    project_check = True

    def run(self, ctx: Context) -> list[Finding]:
        findings: list[Finding] = []
        for project in ctx.project_model.compose:
            if project.error:
                continue
            filled: set[str] = set()
            for service in project.services.values():
                for mount in service.mounts:
                    copies = self._image_fills(ctx, service, mount)
                    if copies:
                        filled.add(mount.source)
                        findings.append(self._over_image(ctx, project, service, mount, copies))
            for service in project.services.values():
                findings.extend(self._idle(ctx, project, service, filled))
        if not findings:
            findings.append(self.finding(Status.OK, "no named volume hides a folder its image fills"))
        return findings

    def _image_fills(self, ctx: Context, service: "Service", mount: "ServiceMount") -> list["Instruction"]:
        """The COPY/ADD of the service's image that write under the volume's target."""
        if mount.kind != "volume" or not mount.source or mount.no_copy or service.build is None \
                or service.build.dockerfile is None:
            return []
        parsed = ctx.project_model.dockerfiles.get(service.build.dockerfile)
        if parsed is None:
            return []
        chain = set(parsed.stage_chain())
        return [i for i in parsed.copies if i.stage in chain and i.destination
                and in_folder(i.destination, mount.target)]

    def _over_image(self, ctx: Context, project: "ComposeProject", service: "Service", mount: "ServiceMount",
                    copies: list["Instruction"]) -> Finding:
        files = ctx.project_model.files
        dockerfile = files.rel(service.build.dockerfile) if service.build and service.build.dockerfile else "?"
        real = project.volumes.get(mount.source, mount.source)
        compose = files.rel(project.file)
        rebuild = f"docker compose -f {compose} down -v; docker compose -f {compose} up --build"
        return self.finding(
            Status.WARN, f"{service.name}: the named volume {mount.source} is mounted over {mount.target}, which "
                         "the image fills: after the first `up`, every rebuild runs the OLD code",
            location=Location(files.rel(mount.origin.file), mount.origin.line),
            detail=f"The first `up` copies the image's {mount.target} into the empty volume {real}; later builds "
                   "change the image, not the volume, and the volume hides the image's folder. Once the volume "
                   "exists and differs, named-volume-visibility fails.",
            evidence={"volume on the daemon": real,
                      "image fills it": "; ".join(f"{dockerfile}:{i.line} {' '.join(i.text.split())}" for i in copies)},
            fixes=same_fix(f"1) Drop `- {mount.raw_source}:{mount.target}` (the image already holds the code).\n"
                           f"2) Or `{mount.source}:{mount.target}:nocopy` (the volume stays empty: data only).")
            + fixes(powershell=f"3) Or after each build: {rebuild}", cmd=f"3) Or after each build: {rebuild}",
                    bash=f"3) Or after each build: {rebuild.replace('; ', ' && ')}"))

    def _idle(self, ctx: Context, project: "ComposeProject", service: "Service", filled: set[str]) -> list[Finding]:
        shared = [m for m in service.mounts if m.kind == "volume" and m.source in filled]
        raw = raw_service(project, service.name)
        command = raw.get("command")
        text = " ".join(command) if isinstance(command, list) else str(command or "")
        if not shared or service.build is not None or " ".join(text.split()) not in IDLE_COMMANDS:
            return []
        line = project.line_of("services", service.name, "command") or service.origin.line
        return [self.finding(
            Status.WARN, f"{service.name} plays no part: it mounts {shared[0].source} and runs `{text}`",
            location=Location(ctx.project_model.files.rel(project.file), line),
            detail="It neither fills the volume (its image holds nothing at that path) nor keeps it alive: a named "
                   "volume lives until `docker volume rm` or `docker compose down -v`, used or not. It only idles "
                   "(and `depends_on` makes it start after the others, nothing more).",
            evidence={"volume": project.volumes.get(shared[0].source, shared[0].source)},
            fixes=same_fix(f"Remove the service `{service.name}`. To look into the volume instead: "
                           f"docker run --rm -v {project.volumes.get(shared[0].source, shared[0].source)}:/v "
                           "busybox ls -la /v"))]
