"""`dind-doctor check`: run the checks and report."""
from __future__ import annotations

import sys

import click

from ..cli import EXIT_FINDINGS, EXIT_OK, project_option, shell_option, timeout_option


@click.command()
@click.argument("check_ids", metavar="[CHECK_ID]...", nargs=-1)
@project_option
@click.option("--format", "output_format", type=click.Choice(["table", "json"]), default="table",
              show_default=True, help="table for people, json for CI (schema in the README).")
@click.option("--strict", is_flag=True, help="Count a warning as a failure in the exit code.")
@click.option("--verbose", "-v", is_flag=True, help="Show each finding's detail and evidence.")
@click.option("--fix", is_flag=True, help="Apply the safe local repairs (each with a backup) and report them.")
@shell_option
@timeout_option
def check(check_ids, project, output_format, strict, verbose, fix, shell, timeout):
    """Run the checks (all, or the CHECK_IDs given) and print each finding with its fix.

    Exit code 0 when nothing failed, 1 when a check failed or errored (with --strict, also when one
    warned), 2 for a usage error.
    """
    from ..model import Status
    from ..runner import run_checks
    from .common import checks_by_id, make_context

    available = checks_by_id()
    unknown = [c for c in check_ids if c not in available]
    if unknown:
        raise click.UsageError(f"unknown check id: {', '.join(unknown)} "
                               f"(known: {', '.join(available) or 'none'}; see `dind-doctor list-checks`)")
    selected = [available[c] for c in (check_ids or available)]
    ctx = make_context(project, shell, timeout, verbose, fix)
    try:
        findings = run_checks(ctx, selected)
        level = ctx.nesting().level.value
    finally:
        # Probes are removed by the checks themselves; this catches what Ctrl-C or a crash left behind.
        from ..probes import cleanup_run

        cleanup_run(ctx)
        ctx.close()

    if output_format == "json":
        from ..render.json_report import render

        click.echo(render(findings, level, ctx.shell))
    else:
        from ..render.table import render
        from .common import console_unicode

        unicode = console_unicode()
        colour = sys.stdout.isatty() and "NO_COLOR" not in ctx.env
        click.echo(render(findings, shell=ctx.shell, level=level, unicode=unicode, colour=colour,
                          verbose=verbose))
    bad = {Status.FAIL, Status.ERROR} | ({Status.WARN} if strict else set())
    sys.exit(EXIT_FINDINGS if any(f.status in bad for f in findings) else EXIT_OK)
