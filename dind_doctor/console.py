"""The `dind-doctor` program's entry point (its console script and `python -m dind_doctor`).

A run imports a few hundred modules whose objects live until exit: the collector's default pace (every 700
allocations) scans them again and again, then once more at exit, for no garbage (7% of a `check --static`
run's instructions, 1.5% more while click itself imports). So the pace is set here, before click and the
command line are imported, and not when cli.py is imported: the tests and an embedder that import it keep
their own collector. A collection every 50,000 allocations still bounds what a long command's cycles hold;
cli.main() freezes what is left at the end, so the objects are not scanned again at exit.

The compile cache (compile_cache.py) is installed here too, before click's patterns compile, and for the
same reason only here: a process that imports the package keeps Python's own compiles.
"""
from __future__ import annotations

import gc


def main() -> None:
    gc.set_threshold(50_000, 10, 10)
    from .compile_cache import install

    install()
    from .cli import main as command_line

    command_line()
