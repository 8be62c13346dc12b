"""`dind-doctor check`: run the checks and report."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import click
from click.core import ParameterSource

from ..cli import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, project_option, shell_option, timeout_option
from ..render.report import FAIL_ON, FORMATS


class ConfigProblem(click.ClickException):
    """A config file that cannot be used is a usage error: exit 2, the file and line in the message."""

    exit_code = EXIT_USAGE


def path_prefix(project: Path) -> str:
    """The project folder as seen from the current one, for formats whose paths are workspace-relative."""
    rel = os.path.relpath(project, Path.cwd())
    if rel == ".":
        return ""
    return project.as_posix() if rel.startswith("..") else Path(rel).as_posix()


def _given(name: str) -> bool:
    """Was the option given on the command line (which wins over the config file)?"""
    return click.get_current_context().get_parameter_source(name) is not ParameterSource.DEFAULT


@click.command()
@click.argument("check_ids", metavar="[CHECK_ID]...", nargs=-1)
@project_option
@click.option("--format", "output_format", type=click.Choice(FORMATS), default="table", show_default=True,
              help="table for people; json (schema in the README), sarif (code scanning), github "
                   "(workflow annotations) or junit for CI.")
@click.option("--fail-on", type=click.Choice(FAIL_ON), default=None,
              help="The lowest status that makes the exit code 1 [default: fail, or the config's fail-on].")
@click.option("--strict", is_flag=True, help="Same as --fail-on warn.")
@click.option("--verbose", "-v", is_flag=True, help="Show each finding's detail and evidence, and the suppressed ones.")
@click.option("--fix", is_flag=True, help="Apply the safe local repairs (each with a backup) and report them.")
@shell_option
@timeout_option
def check(check_ids, project, output_format, fail_on, strict, verbose, fix, shell, timeout):
    """Run the checks (all, or the CHECK_IDs given) and print each finding with its fix.

    Settings come from the command line, else from the project's config file (`.dind-doctor.toml`, or
    `[tool.dind-doctor]` in pyproject.toml). CHECK_IDs given here run even if the config skips them.

    Exit code 0 when nothing failed, 1 when a finding reached the --fail-on status (default: a check
    failed or errored; --strict: also when one warned), 2 for a usage error or a bad config file.
    """
    from .. import policy, suppress
    from ..config import ConfigError, load
    from ..render.report import Report, Rule, fail_on_status, render, rules_for
    from ..runner import run_checks
    from .common import checks_by_id, make_context

    available = checks_by_id()
    unknown = [c for c in check_ids if c not in available]
    if unknown:
        raise click.UsageError(f"unknown check id: {', '.join(unknown)} "
                               f"(known: {', '.join(available) or 'none'}; see `dind-doctor list-checks`)")
    if not project.is_dir():
        raise click.BadParameter(f"{project} is not a folder", param_hint="--project")
    try:
        config = load(project, available)
    except ConfigError as exc:
        raise ConfigProblem(str(exc)) from None
    wanted = list(check_ids or config.checks or available)
    skipped = [] if check_ids else [c for c in wanted if c in config.skip]
    selected = [available[c] for c in wanted if c not in skipped]
    shell = shell if _given("shell") or not config.shell else config.shell
    timeout = timeout if _given("timeout") or config.timeout is None else config.timeout
    fail_on = fail_on or (None if strict else config.fail_on)

    ctx = make_context(project, shell, timeout, verbose, fix)
    ctx.options = config.options
    try:
        findings = run_checks(ctx, selected)
        level = ctx.nesting().level.value
    finally:
        # Probes are removed by the checks themselves; this catches what Ctrl-C or a crash left behind.
        from ..probes import cleanup_run

        cleanup_run(ctx)
        ctx.close()

    findings = policy.finish(ctx, findings, config, ran=[c.id for c in selected], skipped=skipped,
                             known=available)
    report = Report(findings=findings, level=level, shell=ctx.shell,
                    rules=rules_for([available[c] for c in wanted])
                    | {suppress.ID: Rule(suppress.ID, suppress.TITLE, suppress.EXPLANATION)},
                    fail_on=fail_on_status(strict, fail_on), path_prefix=path_prefix(ctx.project),
                    project_uri=ctx.project.as_uri())
    unicode = colour = False
    if output_format == "table":
        from .common import console_unicode

        unicode = console_unicode()
        colour = sys.stdout.isatty() and "NO_COLOR" not in ctx.env
    click.echo(render(output_format, report, unicode=unicode, colour=colour, verbose=verbose))
    sys.exit(EXIT_FINDINGS if report.failed else EXIT_OK)
