"""The `dind-doctor` program's entry point (its console script and `python -m dind_doctor`).

A run imports a few hundred modules whose objects live until exit: the collector's default pace (every 700
allocations) scans them again and again, then once more at exit, for no garbage (7% of a `check --static`
run's instructions, 1.5% more while click itself imports). So the pace is set here, before click and the
command line are imported, and not when cli.py is imported: the tests and an embedder that import it keep
their own collector. A collection every 50,000 allocations still bounds what a long command's cycles hold;
cli.main() freezes what is left at the end, so the objects are not scanned again at exit.

Even at that pace, the first collection came once the checks were running and walked every object the
imports had made, all of them still alive: 10 to 15 ms on the user's repository. So once a command has imported
what it runs, modules_loaded() moves those objects out of the collector's sight (gc.freeze), and a
collection walks only what the run allocated since; again only in the program.

The compile cache (compile_cache.py) is installed here too, before click's patterns compile, and for the
same reason only here: a process that imports the package keeps Python's own compiles.
"""
from __future__ import annotations

import gc

_program = False  # this process is the program (main() ran), not a test or an embedder


def modules_loaded() -> None:
    """A command has imported what it runs (`check`: its checks): in the program, the objects so far are
    left out of every later collection. Nothing happens in a process that only imported the package."""
    if _program:
        gc.freeze()


def main() -> None:
    global _program
    _program = True
    gc.set_threshold(50_000, 10, 10)
    from .compile_cache import install

    install()
    from .cli import main as command_line

    command_line()
