"""`dind-doctor list-checks`: every check found through the entry points, and plugin load failures."""
from __future__ import annotations

import click


@click.command("list-checks")
def list_checks() -> None:
    """List the checks: id, title, the nesting levels they apply to, and whether they need the engine."""
    from tabulate import tabulate

    from ..model import ALL_LEVELS
    from ..registry import LoadFailure
    from ..registry import checks_by_id

    rows = []
    for cid, item in checks_by_id().items():
        if isinstance(item, LoadFailure):
            rows.append([cid, f"FAILED TO LOAD ({item.package}): {item.error}", "", ""])
            continue
        levels = "all" if item.levels == ALL_LEVELS else ", ".join(sorted(lv.value for lv in item.levels))
        rows.append([cid, item.title, levels, "yes" if item.needs_engine else "no"])
    click.echo(tabulate(rows, headers=["check", "title", "levels", "engine"], tablefmt="simple"))
