"""airflow-volume-content: each code volume a DAG mounts, on the daemon, against the module's source folder."""
from __future__ import annotations

from typing import TYPE_CHECKING

from dind_doctor.check import Check
from dind_doctor.context import Context
from dind_doctor.model import Finding, Location, Status, same_fix
from dind_doctor.engine.errors import EngineUnavailable, ProbeError

if TYPE_CHECKING:
    from dind_doctor.airflow.volume_pairs import VolumePair


class AirflowVolumeContent(Check):
    """Compares each code volume the DAGs mount with the folder it should mirror, on the daemon in use
    (a volume only compose services use is named-volume-visibility's: `up` fills it from the image).

    The (volume, folder) pairs are those `dind-doctor sync-volume` uses: the folder the module's Dockerfile
    copies to the mount path (`COPY app/ .` under `WORKDIR /home/app`), else the folder a hand-made sync
    copies from, else a folder named like the mount path. For each volume:
    - it must exist: a `Mount(type="volume")` of a name the daemon lacks creates it EMPTY at the task's
      first run (fail);
    - its content (names, sizes, SHA-256 of every file, dotfiles included) must match the folder: after an
      edit a hand-synced volume runs the OLD code (fail, "stale", with the files that differ);
    - every `.env` of the folder must be in it and equal by hash (values are never read out or printed):
      `cp -r /source/*` skips it, and the module runs without credentials (fail).
    Helpers are labelled, created and never started, and removed at the end.
    Fix: `dind-doctor sync-volume` (no arguments) or the hand command with `/source/.`; better, no volume
    at all: the module's image already holds its code.
    """

    id = "airflow-volume-content"
    title = "DAG code volumes on the daemon: exist, in step with the source folder, .env equal by hash"
    needs_engine = True
    time_limit = 90.0

    def run(self, ctx: Context) -> list[Finding]:
        from dind_doctor.airflow.project import dag_mounts
        from dind_doctor.airflow.volume_pairs import volume_pairs

        # Only the volumes a DAG mounts: a compose service's volume is created AND filled from the image by
        # `docker compose up` (named-volume-visibility judges it); `sync-volume` still syncs every pair.
        # No DAG mounting a volume settles it without the compose model (no `docker compose config` child).
        pairs = [pair for pair in volume_pairs(ctx) if pair.mounted_by_a_dag] if dag_mounts(ctx, "volume") else []
        if not pairs:
            return [self.finding(Status.SKIP, "no code volume: no DAG mounts a named volume")]
        findings = []
        for pair in pairs:
            try:
                findings.extend(self._one(ctx, pair))
            except (ProbeError, EngineUnavailable) as exc:
                findings.append(self.finding(Status.ERROR, f"volume {pair.volume}: the daemon failed mid-check: {exc}",
                                             evidence={"volume": pair.volume}))
        return findings

    def _one(self, ctx: Context, pair: VolumePair) -> list[Finding]:
        from dind_doctor.airflow.volume_state import no_volume_needed, volume_state

        state = volume_state(ctx, pair)
        path, _, line = pair.used_by[0].partition(":")
        location = Location(path.split(" service ")[0], int(line) if line.isdigit() else None)
        evidence = {"volume": pair.volume, "mounted at": pair.target, "used by": ", ".join(pair.used_by[:6]),
                    "source folder": str(pair.source) if pair.source else "none", "how": pair.how,
                    "verdict": state.verdict(),
                    # the daemon asked: the DAG's own when the worker reaches the same one (its socket, or
                    # host.docker.internal for Docker Desktop's)
                    "daemon": ctx.endpoint.url if ctx.endpoint else "?"}
        sync = f'dind-doctor sync-volume   (or: dind-doctor sync-volume {pair.volume} "{pair.source or "<folder>"}")'
        fix = same_fix(f"{sync}\n{no_volume_needed(pair)}")
        if not state.exists:
            return [self.finding(Status.FAIL, f"volume {pair.volume} does not exist on the daemon: the task's first "
                                              "run creates it EMPTY", detail=no_volume_needed(pair),
                                 location=location, evidence=evidence, fixes=fix)]
        if state.diff is None:
            return [self.finding(Status.WARN, f"volume {pair.volume}: {state.verdict()}", detail=pair.how,
                                 location=location, evidence=evidence)]
        findings = []
        for rel, how in state.env_files:
            if how != "equal":
                findings.append(self.finding(
                    Status.FAIL, f"volume {pair.volume}: {rel} is {'missing' if how == 'missing' else 'not the one in '}"
                                 f"{'' if how == 'missing' else str(pair.source)}"
                                 + (" (compared by SHA-256)" if how == "differs" else ""),
                    detail="The module reads its credentials from it. `cp -r /source/*` skips dotfiles; a hand copy "
                           "made before the last edit of the .env holds the old one.",
                    location=location, evidence={**evidence, rel: how}, fixes=fix))
        if state.stale:
            findings.append(self.finding(Status.FAIL, f"stale volume {pair.volume}: {state.verdict()}",
                                         detail="The task runs what the volume holds, not the folder.",
                                         location=location, evidence=evidence, fixes=fix))
        elif not findings:
            findings.append(self.finding(Status.OK, f"volume {pair.volume}: {state.verdict()}",
                                         location=location, evidence=evidence))
        return findings
