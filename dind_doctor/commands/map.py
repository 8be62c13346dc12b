"""`dind-doctor map`: the set-up drawn from the project's files: host -> outer container -> module containers."""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from ..setup_map.model import Node

from .options import EXIT_FINDINGS, finite_seconds, outer_env_option, project_option, timeout_option


@click.command("map")
@project_option
@click.option("--format", "output_format", type=click.Choice(["text", "mermaid", "html"]), default="text",
              show_default=True, help="text: boxes for the terminal; mermaid: a flowchart for Markdown docs; "
                                      "html: a standalone page.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write to this file instead of the screen.")
@click.option("--live", is_flag=True, help="Also walk the levels for real (what `dind-doctor levels` does: labelled "
                                          "containers, removed after) and merge what each level saw into the map.")
@click.option("--wait", type=float, default=120.0, show_default=True, callback=finite_seconds(5),
              help="--live: seconds the whole walk may take.")
@outer_env_option
@timeout_option
def map_command(project: Path, output_format: str, output: Path | None, live: bool, wait: float,
                extra_env: dict[str, str], timeout: float) -> None:
    """Draw the set-up as the project's run scripts, compose files and Dockerfiles describe it: the host,
    the outer container(s), the module container(s); for each level the daemon it talks to, the mounts
    (the source as THAT level's daemon sees it), the variables (names only) and files that arrive, and
    where each is lost. Unknowns are marked, never guessed. Static: nothing is started; `dind-doctor
    levels` observes the same path for real, and `--live` merges what it saw into the map (seen, missing,
    stale, empty per level; exit 1 when something was lost on the way, as `levels`).
    """
    from ..secret_sources import project_masker
    from ..setup_map.model import build_map
    from ..setup_map.render import html_page, masked, mermaid, terminal
    from .common import console_unicode, context_for

    lost = False
    if live:
        root, lost, name = _live(project, timeout, wait, extra_env)
    else:
        ctx = context_for(project, "bash", timeout)
        try:
            root, name = masked(build_map(ctx.project_model), project_masker(ctx)), ctx.project.name
        finally:
            ctx.close()
    if output_format == "mermaid":
        text = mermaid(root)
    elif output_format == "html":
        text = html_page(root, f"dind-doctor map: {name}")
    else:
        text = terminal(root, unicode=output is not None or console_unicode())
    if output is None:
        click.echo(text)
    else:
        try:
            output.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise click.ClickException(f"cannot write {output}: {exc.strerror or exc}") from None
        click.echo(f"dind-doctor map: written to {output}", err=True)
    if lost:
        raise SystemExit(EXIT_FINDINGS)


def _live(project: Path, timeout: float, wait: float, env: dict[str, str]) -> "tuple[Node, bool, str]":
    """The static map with the levels walk merged in; whether something was lost on the way."""
    from ..levels.walk import plan as make_plan, walk
    from ..model import Level
    from ..secret_sources import project_masker
    from ..setup_map.live import merge_levels
    from ..setup_map.model import build_map
    from ..setup_map.render import masked
    from .common import engine_session

    with engine_session(project, timeout) as ctx:
        level = ctx.nesting().level
        if level is not Level.HOST:
            raise click.ClickException(f"run `dind-doctor map --live` on the host (this is {level.value}): "
                                       "the walk starts the outer container itself")
        plan = make_plan(ctx)
        rows, _evidence = walk(ctx, plan, env, wait)
        root = merge_levels(build_map(ctx.project_model), rows, ctx.project_model.files.rel(plan.spec.script),
                            plan.service.name)
        mask = project_masker(ctx)
        mask.add_env(env)
        return masked(root, mask), any(r.first_loss() for r in rows), ctx.project.name
