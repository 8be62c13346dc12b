"""`dind-doctor sync-volume [VOLUME SOURCE]`: copy a folder into a named volume, dotfiles included, and verify;
with no arguments, every code volume the project's DAGs and compose files mount, from its source folder."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from .options import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, project_option, timeout_option


@click.command("sync-volume")
@click.argument("volume", required=False)
@click.argument("source", required=False, type=click.Path(path_type=Path))
@project_option
@click.option("--keep-extra", is_flag=True,
              help="Keep files the volume holds that SOURCE lacks (default: the volume becomes an exact copy).")
@click.option("--check", "check_only", is_flag=True,
              help="Only compare: exit 1 when a volume is stale or missing (a pre-run hook). Copies nothing.")
@click.option("--watch", is_flag=True, help="Keep the volumes in step while you edit: poll the folders, sync on change.")
@click.option("--interval", type=click.FloatRange(min=0.5), default=2.0, show_default=True,
              help="--watch: seconds between polls of the folders.")
@click.option("--max-duration", type=click.FloatRange(min=1), default=8 * 3600.0, show_default=True,
              help="--watch: seconds after which the watch stops by itself.")
@timeout_option
def sync_volume(volume: str | None, source: Path | None, project: Path, keep_extra: bool, check_only: bool, watch: bool,
                interval: float, max_duration: float, timeout: float) -> None:
    """Copy the folder SOURCE into the named volume VOLUME (its real name, e.g. `hosted_<volume>` for
    compose), dotfiles such as .env included, through a labelled helper container; then read the volume
    back and compare every file's SHA-256. Exit 0 when the volume matches SOURCE, 1 otherwise.

    With no arguments, the (volume, folder) pairs are read from the project (--project): each volume a DAG
    mounts with `Mount(type="volume")`, or a compose service mounts over the path its image copies code to,
    paired with the folder the image's Dockerfile copies there. Each stale one is synced, with a summary of
    what changed. --check only compares; --watch keeps them in step until Ctrl-C.

    SOURCE is read where dind-doctor runs and streamed to the daemon, so it works from inside a container
    too (Docker-out-of-Docker), where `-v SOURCE:/x` would look SOURCE up on the daemon's host.
    """
    from ..airflow.volume_pairs import VolumePair, volume_pairs
    from ..secret_sources import project_masker
    from .common import engine_session

    if (volume is None) != (source is None):
        click.echo("give both VOLUME and SOURCE, or neither (then the project's pairs are used)", err=True)
        sys.exit(EXIT_USAGE)
    if check_only and watch:
        click.echo("--check and --watch do not go together", err=True)
        sys.exit(EXIT_USAGE)
    if volume is not None and source is not None and not check_only and not watch:  # both or neither (above)
        _one_pair(volume, source, keep_extra, timeout)
        return
    with engine_session(project, timeout) as ctx:
        mask = project_masker(ctx)

        def say(line: str) -> None:
            click.echo(mask(line))

        if volume is not None and source is not None:
            pairs = [VolumePair(volume, "?", source.resolve(), "given on the command line", ("command line",))]
        else:
            pairs = volume_pairs(ctx)
        if not pairs:
            say("no code volume found: no DAG Mount(type=\"volume\") and no compose service mounting a volume over "
                "the code its image copies. Name one: dind-doctor sync-volume VOLUME SOURCE")
            sys.exit(EXIT_OK if check_only else EXIT_FINDINGS)
        if watch:
            from ..airflow.sync_all import WatchBounds, watch as run_watch

            say(f"watching {len(pairs)} volume(s) every {interval:g} s (Ctrl-C stops)")
            run_watch(ctx, pairs, say, keep_extra, WatchBounds(interval, max_duration))
            sys.exit(EXIT_OK)
        from ..airflow.sync_all import run_once

        ok = run_once(ctx, pairs, say, check_only, keep_extra)
    sys.exit(EXIT_OK if ok else EXIT_FINDINGS)


def _one_pair(volume: str, source: Path, keep_extra: bool, timeout: float) -> None:
    from ..engine.sync import sync_volume as run_sync
    from .common import engine_session

    with engine_session(Path("."), timeout, project_values=False) as ctx:
        result = run_sync(ctx, volume, source.resolve(), keep_extra)
    how = "replaced the volume's content with" if result.cleared else "copied"
    click.echo(f"{how} {result.files} file(s) ({result.dotfiles} dotfile(s), {result.bytes} bytes) "
               f"from {source} into volume {volume}")
    if result.users:
        click.echo(f"containers using {volume}: {', '.join(result.users)} (running ones see the new content now)")
    if result.verify.clean and (keep_extra or not result.verify.extra):
        click.echo(f"verified: {result.verify.same} file(s) identical (SHA-256), dotfiles included")
        sys.exit(EXIT_OK)
    click.echo(f"NOT verified: {result.verify.summary()}", err=True)
    sys.exit(EXIT_FINDINGS)
