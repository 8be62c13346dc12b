"""`dind-doctor baseline`: record today's findings so that `check --baseline` reports only new ones."""
from __future__ import annotations

from pathlib import Path

import click

from .options import project_option, shell_option, timeout_option
from .pipeline import static_option


@click.command()
@click.argument("check_ids", metavar="[CHECK_ID]...", nargs=-1)
@project_option
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="The baseline file [default: PROJECT/.dind-doctor-baseline.json].")
@static_option
@shell_option
@timeout_option
def baseline(check_ids: tuple[str, ...], project: Path, output: Path | None, static: bool, shell: str,
             timeout: float) -> None:
    """Run the checks like `check` and write the fingerprints of the problems found (check id, path and a
    hash of the line's text: no line number, never the text) to a baseline file to commit. Then
    `dind-doctor check --baseline FILE` fails only on findings that are not in it."""
    from ..baseline import DEFAULT_FILE, BaselineError, write
    from .pipeline import UsageProblem, collect

    report = collect(check_ids, project, shell, timeout, static=static)
    target = output or project / DEFAULT_FILE
    try:
        n = write(target, report.findings)
    except BaselineError as exc:
        raise UsageProblem(str(exc)) from None
    click.echo(f"{n} finding(s) recorded in {target}; `dind-doctor check --baseline {target}` reports only new ones")
