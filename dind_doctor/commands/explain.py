"""`dind-doctor explain CHECK_ID`: what a check looks at, why it matters and how to fix it."""
from __future__ import annotations

import click


@click.command()
@click.argument("check_id")
def explain(check_id: str) -> None:
    """Explain one check: what it inspects, why it matters, and the fixes it proposes."""
    from ..model import ALL_LEVELS
    from ..registry import LoadFailure
    from ..registry import checks_by_id

    from .. import suppress

    available = checks_by_id()
    item = available.get(check_id)
    if item is None and check_id == suppress.ID:  # not a check: what the run reports about suppressions
        click.echo(f"{suppress.ID}: {suppress.TITLE}\n\n{suppress.EXPLANATION}")
        return
    if item is None:
        raise click.UsageError(f"unknown check id: {check_id} (known: {', '.join(available)})")
    if isinstance(item, LoadFailure):
        raise click.ClickException(f"{check_id} failed to load from package {item.package}: {item.error}")
    levels = "all" if item.levels == ALL_LEVELS else ", ".join(sorted(lv.value for lv in item.levels))
    click.echo(f"{item.id}: {item.title}\n")
    static = "runs" if item.project_check else "skipped"
    click.echo(f"levels: {levels} · needs the engine: {'yes' if item.needs_engine else 'no'} · "
               f"--static: {static}\n")
    click.echo(item.explanation())
    if item.options:
        click.echo(f"\noptions ([tool.dind-doctor.options.{item.id}] or [options.{item.id}] in .dind-doctor.toml):")
        for name, opt in item.options.items():
            click.echo(f"  {name} ({opt.type.__name__}, default {opt.default!r}): {opt.help}")
