"""`dind-doctor map`: the set-up drawn from the project's files: host -> outer container -> module containers."""
from __future__ import annotations

from pathlib import Path

import click

from .options import project_option


@click.command("map")
@project_option
@click.option("--format", "output_format", type=click.Choice(["text", "mermaid", "html"]), default="text",
              show_default=True, help="text: boxes for the terminal; mermaid: a flowchart for Markdown docs; "
                                      "html: a standalone page.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write to this file instead of the screen.")
def map_command(project: Path, output_format: str, output: Path | None) -> None:
    """Draw the set-up as the project's run scripts, compose files and Dockerfiles describe it: the host,
    the outer container(s), the module container(s); for each level the daemon it talks to, the mounts
    (the source as THAT level's daemon sees it), the variables (names only) and files that arrive, and
    where each is lost. Unknowns are marked, never guessed. Static: nothing is started; `dind-doctor
    levels` observes the same path for real.
    """
    from ..secret_sources import project_masker
    from ..setup_map.model import build_map
    from ..setup_map.render import html_page, masked, mermaid, terminal
    from .common import console_unicode, context_for

    ctx = context_for(project, "bash", 5.0)
    try:
        root = masked(build_map(ctx.project_model), project_masker(ctx))
    finally:
        ctx.close()
    if output_format == "mermaid":
        text = mermaid(root)
    elif output_format == "html":
        text = html_page(root, f"dind-doctor map: {ctx.project.name}")
    else:
        text = terminal(root, unicode=output is not None or console_unicode())
    if output is None:
        click.echo(text)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise click.ClickException(f"cannot write {output}: {exc.strerror or exc}") from None
    click.echo(f"dind-doctor map: written to {output}", err=True)
