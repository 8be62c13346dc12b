"""`dind-doctor translate PATH`: the path the daemon sees for a path of this level."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from .options import EXIT_FINDINGS, EXIT_OK, timeout_option


@click.command()
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print a JSON object: path, daemon_path, reason, mount.")
@timeout_option
def translate(path: Path, as_json: bool, timeout: float) -> None:
    """Print the path the Docker daemon will look up when PATH (a path where dind-doctor runs) is given
    as a bind-mount source, or say why there is none. Exit 0 with a path, 1 without.

    Inside a container that drives the host's daemon (DooD), `-v /home/hosted/app:/x` makes the daemon
    mount the HOST's /home/hosted/app, not this container's: use the printed path instead.
    """
    from ..levels.translate import to_dict, translate as run_translate
    from ..secret_sources import project_masker
    from .common import context_for

    ctx = context_for(Path("."), "bash", timeout)
    try:
        report = ctx.nesting()
        result = run_translate(str(path.absolute()), report)
        level = report.level.value
    finally:
        ctx.close()
    mask = project_masker(ctx, project=False)
    if as_json:
        import json

        click.echo(json.dumps(mask.data(dict(to_dict(result), level=level)), indent=2))
    elif result.daemon_path is not None:
        click.echo(mask(result.daemon_path))
        click.echo(mask(f"({level}: {result.reason})"), err=True)
    else:
        click.echo(mask(f"no daemon-side path for {result.path} ({level}): {result.reason}"), err=True)
    sys.exit(EXIT_OK if result.daemon_path is not None else EXIT_FINDINGS)
