"""`dind-doctor levels`: what each level (host, outer container, module container) really sees.

A command of its own rather than `check --levels`: it starts two containers and takes seconds, its output
is a matrix rather than a list of findings, and it needs options `check` has no use for. `check` stays
quick and its JSON schema stays one list of findings.
"""
from __future__ import annotations

import sys
from pathlib import Path

import click

from .options import EXIT_FINDINGS, EXIT_OK, finite_seconds, outer_env_option, project_option, timeout_option


@click.command()
@project_option
@click.option("--format", "output_format", type=click.Choice(["table", "json"]), default="table",
              show_default=True)
@outer_env_option
@click.option("--wait", type=float, default=120.0, show_default=True, callback=finite_seconds(5),
              help="Seconds the whole walk may take.")
@timeout_option
def levels(project: Path, output_format: str, extra_env: dict[str, str], wait: float, timeout: float) -> None:
    """Walk host -> outer container -> module container for real, and show which files, volumes and
    variables each level sees: seen, missing, stale (other content than on the host) or empty, with the
    first level where each was lost and why.

    The outer container is stood in for by a labelled container started like the project's run script
    (same binds, socket, variables); from inside it, through the socket, `docker compose run` starts the
    module's service with its real image, env_file and volumes, and only an observation command. A
    sentinel file is written in a sub-folder of the code folder for the walk and removed after it. Values
    of variables are never read out: only whether each is set. Exit 0 when nothing was lost, 1 when
    something was, or when the module level could not be observed at all (that is not a pass).
    """
    from ..levels import matrix
    from ..levels.walk import plan as make_plan, walk
    from ..model import Level
    from ..secret_sources import project_masker
    from .common import console_unicode, engine_session

    env = extra_env  # {KEY: value}, parsed by outer_env_option
    with engine_session(project, timeout) as ctx:
        level = ctx.nesting().level
        if level is not Level.HOST:
            raise click.ClickException(f"run `dind-doctor levels` on the host (this is {level.value}):"
                                       " it starts the outer container itself")
        rows, evidence = walk(ctx, make_plan(ctx), env, wait)
        mask = project_masker(ctx)
        mask.add_env(env)
        rows, evidence = matrix.masked(rows, evidence, mask)
    if output_format == "json":
        import json

        click.echo(json.dumps(matrix.to_json(rows, evidence), indent=2))
    else:
        click.echo(matrix.render(rows, evidence, unicode=console_unicode()))
    unobserved = matrix.unobserved(rows)
    if unobserved:
        click.echo(f"dind-doctor levels: the module level could not be observed ({unobserved}): "
                   "nothing is known about what reaches it", err=True)
    sys.exit(EXIT_FINDINGS if unobserved or any(r.first_loss() for r in rows) else EXIT_OK)
