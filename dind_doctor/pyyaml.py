"""PyYAML for the whole package, imported with its regexes compiled on first use (lazy_regex.py: ~20
patterns compiled at import, of which the C loader needs a few; 9% of a `check --static` run). Import
`yaml` from here, not directly, wherever a run may be the first to need it."""
from __future__ import annotations

from .lazy_regex import deferred_compiles

with deferred_compiles("yaml"):
    import yaml

__all__ = ["yaml"]
