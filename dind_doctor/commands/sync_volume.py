"""`dind-doctor sync-volume VOLUME SOURCE`: copy a folder into a named volume, dotfiles included, and verify."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from ..cli import EXIT_FINDINGS, EXIT_OK, timeout_option


@click.command("sync-volume")
@click.argument("volume")
@click.argument("source", type=click.Path(path_type=Path))
@click.option("--keep-extra", is_flag=True,
              help="Keep files the volume holds that SOURCE lacks (default: the volume becomes an exact copy).")
@timeout_option
def sync_volume(volume, source, keep_extra, timeout):
    """Copy the folder SOURCE into the named volume VOLUME (its real name, e.g. `hosted_<volume>` for
    compose), dotfiles such as .env included, through a labelled helper container; then read the volume
    back and compare every file's SHA-256. Exit 0 when the volume matches SOURCE, 1 otherwise.

    SOURCE is read where dind-doctor runs and streamed to the daemon, so it works from inside a container
    too (Docker-out-of-Docker), where `-v SOURCE:/x` would look SOURCE up on the daemon's host.
    """
    from ..levels.sync import SyncError, sync_volume as run_sync
    from ..secret_sources import project_masker
    from .common import engine_session

    with engine_session(Path("."), timeout, (SyncError,), project_values=False) as ctx:
        result = run_sync(ctx, volume, source.resolve(), keep_extra)
    mask = project_masker(ctx, project=False)

    def echo(text: str, err: bool = False) -> None:
        click.echo(mask(text), err=err)

    how = "replaced the volume's content with" if result.cleared else "copied"
    echo(f"{how} {result.files} file(s) ({result.dotfiles} dotfile(s), {result.bytes} bytes) "
               f"from {source} into volume {volume}")
    if result.users:
        echo(f"containers using {volume}: {', '.join(result.users)} (running ones see the new content now)")
    if result.verify.clean and (keep_extra or not result.verify.extra):
        echo(f"verified: {result.verify.same} file(s) identical (SHA-256), dotfiles included")
        sys.exit(EXIT_OK)
    echo(f"NOT verified: {result.verify.summary()}", err=True)
    sys.exit(EXIT_FINDINGS)
