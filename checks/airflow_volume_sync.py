"""airflow-volume-sync: hand-made copies of code into a volume (scripts, README blocks)."""
from __future__ import annotations

from dind_doctor.check import Check
from dind_doctor.context import Context
from dind_doctor.model import Finding, Location, Status, same_fix

NO_SYNC = ("The image already holds the code (`COPY app/ .`): drop the volume from the DAG's mounts and from "
           "the Airflow services, and pass credentials with `private_environment=` (or `env_file` content); "
           "no copy can then go stale.")


class AirflowVolumeSync(Check):
    """Finds hand-made syncs of code into a named volume and says what they miss.

    The chapter refreshes the module's volume by hand after every change:
    `docker run --rm -v SRC:/source -v VOL:/mnt busybox sh -c "cp -r /source/* /mnt/"`. The shell in the
    helper expands `/source/*`, and `*` does not match names that start with a dot: `.env` never arrives,
    and the module runs without its credentials (fail when the copy is into a volume, warn otherwise).
    `cp -r /source/. /mnt/` copies dotfiles, but any hand copy is stale after the next edit and must be
    re-run (warn). Found in scripts (.ps1, .sh, .bat, .cmd) and Markdown blocks.

    Fixes: `dind-doctor sync-volume` (no arguments: it finds each DAG volume and its source folder, copies
    dotfiles, compares hashes; `--check` for a pre-run hook, `--watch` while editing). Better: no volume at
    all, since the module's image already holds its code.
    """

    id = "airflow-volume-sync"
    title = "Hand-made volume syncs (cp -r /source/* skips .env)"
    project_check = True

    def run(self, ctx: Context) -> list[Finding]:
        from dind_doctor.airflow.hand_sync import project_hand_syncs

        syncs = project_hand_syncs(ctx)
        if not syncs:
            return [self.finding(Status.SKIP, "no hand-made copy into a volume in the project's scripts or README")]
        findings = []
        for sync in syncs:
            into = f"volume {sync.volume}" if sync.volume else "the target"
            evidence = {"source": sync.source or "?", "volume": sync.volume or "?"}
            fix = same_fix("dind-doctor sync-volume   (no arguments: every DAG volume from its source folder, "
                           "dotfiles included, hashes compared)\n" + NO_SYNC)
            if sync.skips_dotfiles:
                findings.append(self.finding(
                    Status.FAIL if sync.volume else Status.WARN,
                    f"`cp -r .../*` copies no dotfile: .env never reaches {into}",
                    detail="The shell's `*` does not match names starting with a dot. `cp -r /source/. /mnt/` "
                           "copies them; and every hand copy is stale after the next edit.",
                    location=Location(sync.rel, sync.line, sync.column), evidence=evidence, fixes=fix))
            else:
                findings.append(self.finding(
                    Status.WARN, f"a hand copy into {into}: stale after every edit "
                                 "until it is run again",
                    location=Location(sync.rel, sync.line, sync.column), evidence=evidence, fixes=fix))
        return findings
