"""What happens to a run's findings between the runner and the renderers: the config's skipped checks and
path excludes, inline suppressions, fingerprints and the baseline.

A finding turned off is kept, with its reason and where the reason was written (Finding.suppression):
the outputs list it, the tally and the exit code ignore it.
"""
from __future__ import annotations

from dataclasses import replace
from typing import Iterable, Sequence

from .config import Config
from .model import Finding, Status, Suppression

PROBLEMS = (Status.WARN, Status.FAIL, Status.ERROR)


def config_skips(config: Config, ids: Iterable[str]) -> list[Finding]:
    """A `skip` finding, suppressed with its reason, for each check the config turns off."""
    out = []
    for cid in ids:
        reason, source = config.skip[cid]
        out.append(Finding(cid, Status.SKIP, f"not run: turned off in {source}: {reason}",
                           suppression=Suppression(reason, source, "config")))
    return out


def apply_excludes(findings: Sequence[Finding], config: Config) -> list[Finding]:
    """Problems located in a path the config excludes (for their check) are suppressed with its reason."""
    if not config.exclude:
        return list(findings)
    out = []
    for f in findings:
        if f.active and f.location is not None and f.status in PROBLEMS:
            entry = next((e for e in config.exclude if e.covers(f.check, f.location.path)), None)
            if entry is not None:
                f = replace(f, suppression=Suppression(entry.reason, entry.source, "config"))
        out.append(f)
    return out
