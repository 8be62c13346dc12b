"""`dind-doctor check`: run the checks and report."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from ..choices import FAIL_ON, FINGERPRINTED, FORMATS
from .options import EXIT_FINDINGS, EXIT_OK, project_option, shell_option, timeout_option
from .pipeline import static_option


@click.command()
@click.argument("check_ids", metavar="[CHECK_ID]...", nargs=-1)
@project_option
@click.option("--format", "output_format", type=click.Choice(FORMATS), default="table", show_default=True,
              help="table for people; json (schema in the README), sarif (code scanning), github "
                   "(workflow annotations) or junit for CI.")
@click.option("--fail-on", type=click.Choice(FAIL_ON), default=None,
              help="The lowest status that makes the exit code 1 [default: fail, or the config's fail-on].")
@click.option("--strict", is_flag=True, help="Same as --fail-on warn.")
@click.option("--baseline", "baseline_file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Report only the findings this baseline (from `dind-doctor baseline`) does not hold.")
@static_option
@click.option("--verbose", "-v", is_flag=True, help="Show each finding's detail and evidence, and the suppressed ones.")
@click.option("--fix", is_flag=True, help="Apply the safe local repairs (each with a backup) and report them.")
@shell_option
@timeout_option
def check(check_ids: tuple[str, ...], project: Path, output_format: str, fail_on: str | None, strict: bool,
          baseline_file: Path | None, static: bool, verbose: bool, fix: bool, shell: str, timeout: float) -> None:
    """Run the checks (all, or the CHECK_IDs given) and print each finding with its fix.

    Settings come from the command line, else from the project's config file (`.dind-doctor.toml`, or
    `[tool.dind-doctor]` in pyproject.toml). CHECK_IDs given here run even if the config skips them.

    Exit code 0 when nothing failed, 1 when a finding reached the --fail-on status (default: a check
    failed or errored; --strict: also when one warned), 2 for a usage error or a bad config or baseline.
    """
    from ..render.report import render
    from .pipeline import UsageProblem, collect

    known = None
    if baseline_file is not None:  # read first: a bad baseline must not cost a whole run
        from ..baseline import BaselineError, read

        try:
            known = read(baseline_file)
        except BaselineError as exc:
            raise UsageProblem(str(exc)) from None
    report = collect(check_ids, project, shell, timeout, verbose=verbose, fix=fix, fail_on=fail_on, strict=strict,
                     static=static, fingerprints=known is not None or output_format in FINGERPRINTED)
    if known is not None:
        import dataclasses

        from ..baseline import only_new

        findings, matched = only_new(report.findings, known)
        report = dataclasses.replace(report, findings=findings, baseline_file=str(baseline_file),
                                     baseline_known=matched)
    unicode = colour = False
    if output_format == "table":
        from .common import console_unicode

        unicode = console_unicode()
        colour = sys.stdout.isatty() and "NO_COLOR" not in os.environ
    click.echo(render(output_format, report, unicode=unicode, colour=colour, verbose=verbose))
    sys.exit(EXIT_FINDINGS if report.failed else EXIT_OK)
