"""What `check` and `baseline` share: the config, the checks to run, the run itself and the policy
(excludes, suppressions, fingerprints), up to a Report ready for a renderer."""
from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Sequence

import click
from click.core import ParameterSource

from .options import EXIT_USAGE

if TYPE_CHECKING:
    from ..project.git_ignored import Asking
    from ..render.report import Report


class UsageProblem(click.ClickException):
    """A config or baseline file that cannot be used is a usage error: exit 2, the file in the message."""

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


def static_option(f: Callable) -> Callable:
    return click.option("--static", is_flag=True,
                        help="Never ask the engine: run the checks that read only the project (their live probes "
                             "skipped); the engine and host checks report skip. Automatic when only project "
                             "checks are asked for and no daemon answers.")(f)


def collect(check_ids: Sequence[str], project: Path, shell: str, timeout: float, *, verbose: bool = False,
            fix: bool = False, fail_on: str | None = None, strict: bool = False, static: bool = False,
            fingerprints: bool = True) -> "Report":
    """Runs the checks as the command line and the project's config say; returns the Report (its problems
    fingerprinted unless `fingerprints` is False: an output that neither prints nor compares them)."""
    from contextlib import nullcontext

    from ..project.git_ignored import Asking

    # git lists the folders it ignores (the walk's scope) while the checks are imported.
    with Asking(project.resolve()) if project.is_dir() else nullcontext() as asking:
        return _collect(asking, check_ids, project, shell, timeout, verbose=verbose, fix=fix, fail_on=fail_on,
                        strict=strict, static=static, fingerprints=fingerprints)


def _collect(asking: "Asking | None", check_ids: Sequence[str], project: Path, shell: str, timeout: float, *,
             verbose: bool, fix: bool, fail_on: str | None, strict: bool, static: bool, fingerprints: bool) -> "Report":
    from .. import policy, suppress
    from ..config import ConfigError, load
    from ..project.git_ignored import ASKING_KEY
    from ..render.report import Report, Rule, fail_on_status, rules_for
    from ..registry import checks_by_id
    from ..console import modules_loaded
    from ..runner import run_checks
    from .common import context_for, finish

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
        raise UsageProblem(str(exc)) from None
    wanted = list(check_ids or config.checks or available)
    skipped = [] if check_ids else [c for c in wanted if c in config.skip]
    selected = [available[c] for c in wanted if c not in skipped]
    shell = shell if _given("shell") or not config.shell else config.shell
    timeout = timeout if _given("timeout") or config.timeout is None else config.timeout
    fail_on = fail_on or (None if strict else config.fail_on)

    ctx = context_for(project, shell, timeout, verbose, fix)
    ctx.options = config.options
    ctx.fix_refusal = config.fix_refusal
    ctx.static = static
    if asking is not None:
        ctx.memo(ASKING_KEY, lambda: asking)
    # Only project checks asked for, and no daemon: the same run as --static, and the report says so.
    if not static and all(getattr(c, "project_check", False) for c in selected) and ctx.engine_error:
        ctx.static = True
    modules_loaded()  # the checks and their models are imported: out of the collector's sight (console.py)
    try:
        findings = run_checks(ctx, selected)
        level = ctx.nesting().level.value
    finally:
        # Probes are removed by the checks themselves; this catches what Ctrl-C, SIGTERM, a crash or a
        # check thread still running left behind (its registry is closed first: no probe after this).
        finish(ctx)
    findings = policy.finish(ctx, findings, config, ran=[c.id for c in selected], skipped=skipped, known=available,
                             fingerprints=fingerprints)
    rules = rules_for([available[c] for c in wanted])
    rules[suppress.ID] = Rule(suppress.ID, suppress.TITLE, suppress.EXPLANATION)
    return Report(findings=findings, level=level, shell=ctx.shell, rules=rules,
                  fail_on=fail_on_status(strict, fail_on), path_prefix=path_prefix(ctx.project),
                  project_uri=ctx.project.as_uri(), static=ctx.static)
