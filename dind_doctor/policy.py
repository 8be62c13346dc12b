"""What happens to a run's findings between the runner and the renderers: the config's skipped checks and
path excludes, inline suppressions, fingerprints and the baseline.

A finding turned off is kept, with its reason and where the reason was written (Finding.suppression):
the outputs list it, the tally and the exit code ignore it.
"""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable, Sequence

from .baseline import with_fingerprints
from .config import Config
from .model import Finding, Status, Suppression

if TYPE_CHECKING:
    from .context import Context

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


def finish(ctx: "Context", findings: Sequence[Finding], config: Config, ran: Iterable[str],
           skipped: Iterable[str], known: Iterable[str], fingerprints: bool = True) -> list[Finding]:
    """The run's findings (masked by the runner) with the config's excludes and skips and the inline
    suppressions applied. What this step adds or changes passes the run's masker too: a reason or a
    suppression warning is printed like any finding. `fingerprints`: give each problem its fingerprint
    (a baseline, or an output that prints them; the others never read them)."""
    from .project.files import project_files
    from .secret_sources import project_masker
    from .suppress import apply_inline

    files = project_files(ctx)
    texts = [(t.rel, t.text) for t in files.already_read() if t.usable]
    out = apply_inline(apply_excludes(findings, config), texts, set(ran), set(known))
    out += config_skips(config, skipped)
    untouched = {id(f) for f in findings}
    masker = project_masker(ctx)
    out = [f if id(f) in untouched else masker.finding(f) for f in out]
    return with_fingerprints(out, _line_reader(ctx, files, masker)) if fingerprints else out


def _line_reader(ctx: "Context", files: Any, masker: Callable[[str], str]) -> Callable[[str, int], str | None]:
    """line_of(path, n) for fingerprints: masked, each file split once (findings cluster in few files)."""
    split: dict[str, list[str]] = {}

    def line_of(rel: str, n: int) -> str | None:
        if rel not in split:
            content = files.read(Path(ctx.project) / rel)
            split[rel] = content.text.split("\n") if content.usable else []
        lines = split[rel]
        return masker(lines[n - 1].rstrip("\r")) if 0 < n <= len(lines) else None

    return line_of
