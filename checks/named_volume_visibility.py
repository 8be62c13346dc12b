"""named-volume-visibility: each named volume of the compose model, as the daemon in use holds it."""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from dind_doctor.check import Check
from dind_doctor.context import Context
from dind_doctor.model import Finding, Level, Location, Status, same_fix
from dind_doctor.engine.errors import EngineUnavailable, ProbeError

if TYPE_CHECKING:
    from dind_doctor.engine.staleness import Assessment
    from dind_doctor.engine.volumes import VolumeInfo
    from dind_doctor.model import Fix
    from dind_doctor.project.compose_model import ComposeProject, Service, ServiceMount


def where(ctx: Context) -> str:
    """Which daemon holds the volumes, in words: at DinD they live on the inner daemon, not the host's."""
    report = ctx.nesting()
    endpoint = ctx.endpoint.display if ctx.endpoint else "?"
    if report.level is Level.DIND:
        return f"the inner daemon at {endpoint} (dind: NOT the host's daemon; the host cannot see these volumes)"
    if report.level is Level.DOOD:
        return f"the host's daemon, reached from this container at {endpoint} (dood)"
    return f"the daemon at {endpoint} ({report.level.value})"


class NamedVolumeVisibility(Check):
    """Checks every named volume of the project's compose files on the daemon in use.

    For each volume: its real name (compose prefixes it with the project name, `<project>_<volume>`, unless
    the volume sets `name:`), whether it exists on the daemon in use (under DinD that is the inner daemon:
    the host's daemon never sees it), which containers use it, and when it was created against when the
    image that mounts it was built.

    Then its content (names, sizes and SHA-256 of every file, dotfiles such as `.env` included) is compared
    with the image's content at the mount path and with the source folder the image copies there (the seed:
    `WORKDIR /home/app` + `COPY app/ .` makes `app/` the source of `/home/app`). All through labelled helper
    containers that are created, read with `docker cp` and removed; nothing is started.

    Why it matters: a named volume is filled from the image ONCE, while it is empty. After a code change
    and `docker compose up --build`, the old copy in the volume hides the new code: the last build is not
    what runs (fail, "stale volume"). The seed's `first_container` plays no part in filling it.
    Fixes: `docker compose down -v` (removes ALL the project's named volumes, database data included),
    `docker volume rm <real name>` (only this one), or `dind-doctor sync-volume <real name> <folder>`.
    Better: do not put code in a named volume at all; bake it into the image (`COPY app/ .`) as the
    reference module in hosted/ does.

    Dotfiles missing from a volume get their own finding: `cp -r /source/* /mnt/` skips them (the shell's
    `*` does not match `.env`); `cp -r /source/. /mnt/` or `dind-doctor sync-volume` copies them.

    Airflow: DockerOperator mounts volumes by their REAL name (`Mount(source="<project>_<volume>",
    type="volume")`). A hand-typed unprefixed name silently creates a second, empty volume.
    """

    id = "named-volume-visibility"
    title = "Named volumes: real name, existence, users, stale content, dotfiles"
    needs_engine = True
    time_limit = 60.0

    def warm(self, ctx: Context) -> None:
        from dind_doctor.compose_cli import resolved_projects

        resolved_projects(ctx, [p for p in ctx.project_model.compose if not p.error and p.volumes])

    def run(self, ctx: Context) -> list[Finding]:
        from dind_doctor.compose_cli import resolved_project

        projects = ctx.project_model.compose
        if not projects:
            return [self.finding(Status.SKIP, f"no compose file under {ctx.project}")]
        findings: list[Finding] = []
        with_volumes = 0
        for project in projects:
            file = project.file
            if project.error or not project.volumes:
                continue  # unreadable files are the env-file check's to report; no volume, nothing to do
            model = resolved_project(ctx, project)
            for key, real in model.volumes.items():
                with_volumes += 1
                try:
                    findings.extend(self._volume(ctx, model, key, real))
                except (ProbeError, EngineUnavailable) as exc:
                    findings.append(self.finding(
                        Status.ERROR, f"volume {real}: the daemon failed mid-check: {exc}",
                        location=Location(str(file)), evidence={"volume": real, "compose file": str(file)}))
        if not with_volumes and not findings:
            names = ", ".join(p.rel for p in projects)
            return [self.finding(Status.SKIP, f"no named volume in {names}")]
        return findings

    # -- one volume ------------------------------------------------------------------------------------
    def _volume(self, ctx: Context, model: ComposeProject, key: str, real: str) -> list[Finding]:
        from dind_doctor.engine import volumes

        location = Location(str(model.file))
        users = model.users_of(key)
        evidence = {"volume key": key, "real name": real, "project": model.name, "model from": model.resolved_by,
                    "daemon": where(ctx),
                    "mounted by": ", ".join(f"{s.name}:{m.target}" for s, m in users) or "no service"}
        info = volumes.inspect_volume(ctx, real)
        if info is None:
            return [self._absent(ctx, model, key, real, evidence, location)]
        evidence["created"] = info.created.isoformat() if info.created else "?"
        evidence["containers using it"] = ", ".join(volumes.volume_users(ctx, real)) or "none"
        candidates = [(s, m) for s, m in users if not m.no_copy]
        # The service that builds its image from the project is the one whose code the volume hides.
        candidates.sort(key=lambda sm: sm[0].build_context is None)
        if not candidates:
            return [self.finding(Status.OK, f"volume {real} exists on {where(ctx)}", evidence=evidence,
                                 location=location)]
        service, mount = candidates[0]
        return self._content(ctx, model, real, service, mount, info, evidence, location)

    def _absent(self, ctx: Context, model: ComposeProject, key: str, real: str, evidence: dict[str, Any],
                location: Location) -> Finding:
        from dind_doctor.engine import volumes

        if key in model.external:
            return self.finding(Status.FAIL, f"external volume {real} does not exist on {where(ctx)}",
                                detail="compose never creates an external volume; `up` will fail.",
                                evidence=evidence, location=location,
                                fixes=same_fix(f"docker volume create {real}"))
        if real != key and volumes.inspect_volume(ctx, key) is not None:
            return self.finding(
                Status.WARN, f"volume {key} exists, but compose will use {real} (project prefix)",
                detail=f"Compose names the volume `{real}`. The unprefixed `{key}` was created by something "
                       "else (a hand-typed `docker run -v` or an Airflow Mount). Use the real name there, or "
                       f"give the volume a fixed name in {model.file.name}: `volumes: {{{key}: {{name: {key}}}}}`.",
                evidence=evidence, location=location,
                fixes=same_fix(f"Mount `{real}` by that name, or set `name: {key}` on the volume in {model.file.name}"))
        return self.finding(Status.OK, f"volume {real} is not created yet on {where(ctx)}",
                            detail="The next `docker compose up` creates it and fills it ONCE from the image.",
                            evidence=evidence, location=location)

    def _content(self, ctx: Context, model: ComposeProject, real: str, service: Service, mount: ServiceMount,
                 info: VolumeInfo, evidence: dict[str, Any], location: Location) -> list[Finding]:
        from dind_doctor.engine import manifest, staleness, volumes

        volume_m = volumes.volume_manifest(ctx, real)
        image = volumes.image_info(ctx, service.image)
        image_m = volumes.image_manifest(ctx, service.image, mount.target) if image else None
        source = None
        if service.dockerfile and service.build_context:
            source = ctx.project_model.dockerfiles.source_folder(Path(service.dockerfile), Path(service.build_context),
                                                                 mount.target)
        if source is None:  # no Dockerfile says it: a folder of the compose dir named like the mount path
            guess = model.dir / Path(mount.target).name
            source = guess if guess.is_dir() else None
        source_m = manifest.from_folder(source) if source else None
        image_created = volumes.parse_time(image.get("Created")) if image else None
        result = staleness.assess(volume_m, image_m, source_m, info.created, image_created)
        evidence.update({
            "mount path": f"{service.name}:{mount.target}", "image": service.image,
            "image built": image_created.isoformat() if image_created else "image not present",
            "volume older than image": {True: "yes", False: "no", None: "?"}[result.volume_older_than_image],
            "source folder": str(source) if source else "none found",
            "volume files": len(volume_m), "verdict": result.verdict})
        if result.vs_image is not None:
            evidence["volume vs image"] = result.vs_image.summary()
        if result.vs_source is not None:
            evidence["volume vs source"] = result.vs_source.summary()
        if any(m is not None and m.truncated for m in (volume_m, image_m, source_m)):
            evidence["note"] = f"only the first {manifest.MAX_FILES} files were compared"
        findings = [self._verdict(ctx, model, real, service, mount, source, result, evidence, location)]
        if result.missing_dotfiles:
            findings.append(self._dotfiles(real, source, result.missing_dotfiles, evidence, location))
        return findings

    def _fixes(self, model: ComposeProject, real: str, source: Path | None) -> tuple[Fix, ...]:
        folder = str(source) if source else "<folder>"
        return same_fix(
            f"docker compose -f \"{model.file}\" down -v   (removes ALL named volumes of project {model.name})\n"
            f"docker volume rm {real}   (only this one; stop its containers first)\n"
            f"dind-doctor sync-volume {real} \"{folder}\"   (copy the folder in, dotfiles included)\n"
            "Lasting fix: drop the named volume on the code folder; the image already holds the code.")

    def _verdict(self, ctx: Context, model: ComposeProject, real: str, service: Service, mount: ServiceMount,
                 source: Path | None, result: Assessment, evidence: dict[str, Any], location: Location) -> Finding:
        at = f"{service.name}:{mount.target}"
        if result.verdict == "stale":
            against = "the image" if result.vs_image is not None and not result.vs_image.clean else "the source folder"
            diff = result.vs_image if against == "the image" else result.vs_source
            assert diff is not None  # staleness.assess says stale only against a diff it made
            return self.finding(
                Status.FAIL, f"stale volume {real}: your last build is not what runs ({at})",
                detail=f"The volume differs from {against}: {diff.summary()}. It was filled once, when it was "
                       f"empty, and hides {service.image}'s {mount.target} ever since.",
                evidence=evidence, location=location, fixes=self._fixes(model, real, source))
        if result.verdict == "differs-from-source":
            # assess compared a source manifest, so there is a source folder and a diff against it
            assert source is not None and result.vs_source is not None
            return self.finding(
                Status.WARN, f"volume {real} matches the image, but both are older than {source.name}/",
                detail=f"{result.vs_source.summary()}. Rebuild: `docker compose -f \"{model.file}\" build`, "
                       "then refresh the volume (it will keep the old copy).",
                evidence=evidence, location=location, fixes=self._fixes(model, real, source))
        if result.verdict == "empty":
            return self.finding(Status.WARN, f"volume {real} is empty ({at})",
                                detail="Nothing filled it: a `nocopy` mount, or the image has nothing there.",
                                evidence=evidence, location=location, fixes=self._fixes(model, real, source))
        if result.verdict == "unknown":
            return self.finding(Status.WARN if result.volume_older_than_image else Status.OK,
                                f"volume {real} exists ({evidence['volume files']} files); "
                                "no image or source folder to compare it with",
                                evidence=evidence, location=location)
        return self.finding(Status.OK, f"volume {real} holds what the image and {source.name + '/' if source else 'the source'} hold ({at})",
                            evidence=evidence, location=location)

    def _dotfiles(self, real: str, source: Path | None, missing: tuple[str, ...], evidence: dict[str, Any],
                  location: Location) -> Finding:
        env_like = [p for p in missing if p.rsplit("/", 1)[-1].startswith(".env")]
        folder = str(source) if source else "<folder>"
        return self.finding(
            Status.FAIL if env_like else Status.WARN,
            f"volume {real} lacks dotfiles of {source.name if source else 'the source'}/: {', '.join(missing[:5])}",
            detail="`cp -r /source/* /mnt/` skips dotfiles: the shell's `*` does not match names starting with "
                   "a dot. Copy the folder itself: `cp -r /source/. /mnt/`." + (
                       " The module reads credentials from .env (python-dotenv): without it they are missing."
                       if env_like else ""),
            evidence={"missing dotfiles": ", ".join(missing), "volume": real}, location=location,
            fixes=same_fix(f"dind-doctor sync-volume {real} \"{folder}\"\n"
                           f"or: docker run --rm -v {real}:/mnt -v \"{folder}\":/source busybox cp -r /source/. /mnt/"))
