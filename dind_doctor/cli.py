"""The command line: the group, its lazily loaded commands, and what holds for all of them (a console
that cannot crash on a glyph, SIGTERM handled as Ctrl-C, exit 130 when interrupted). Each command, its
options and its exit codes live in dind_doctor/commands/ (run-reference's in dind_doctor/reference/).

Commands are imported lazily so that `dind-doctor --help` stays instant: a command module imports only
click at its top, and docker-py is imported on first use.
"""
from __future__ import annotations

import gc
import importlib
import sys

import click

from . import __version__

# name -> "module:attribute" of a click command; each command lives next to the code it drives.
LAZY_COMMANDS = {
    "check": "dind_doctor.commands.check:check",
    "baseline": "dind_doctor.commands.baseline:baseline",
    "list-checks": "dind_doctor.commands.list_checks:list_checks",
    "explain": "dind_doctor.commands.explain:explain",
    "sync-volume": "dind_doctor.commands.sync_volume:sync_volume",
    "translate": "dind_doctor.commands.translate:translate",
    "run-reference": "dind_doctor.reference.command:run_reference_command",
    "levels": "dind_doctor.commands.levels:levels",
    "map": "dind_doctor.commands.map:map_command",
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(super().list_commands(ctx)) | set(LAZY_COMMANDS))

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in LAZY_COMMANDS:
            module, attr = LAZY_COMMANDS[name].split(":")
            return getattr(importlib.import_module(module), attr)
        return super().get_command(ctx, name)

    def invoke(self, ctx: click.Context) -> object:
        """Every command's error message passes the masking boundary (the environment's secrets, URL
        userinfo, credential shapes): a command masks what it knows of its project first, this is the
        net for the rest (an option's value, a config file's line, a daemon's answer). Ctrl-C or SIGTERM:
        the command's `finally` blocks have removed what the run created by now; exit 130."""
        from .interrupts import EXIT_INTERRUPTED, interrupted_by

        try:
            return super().invoke(ctx)
        except click.ClickException as exc:
            import os

            from .secret_sources import environment_masker

            exc.message = environment_masker(os.environ)(exc.message)
            raise
        except Exception as exc:  # an interrupt wrapped by Python's machinery is still an interrupt
            if not interrupted_by(exc):
                raise
            click.echo("dind-doctor: interrupted; what this run created was removed", err=True)
            raise click.exceptions.Exit(EXIT_INTERRUPTED) from None
        except KeyboardInterrupt:
            click.echo("dind-doctor: interrupted; what this run created was removed", err=True)
            raise click.exceptions.Exit(EXIT_INTERRUPTED) from None


def _safe_console() -> None:
    """A legacy console (cp1252, cp850) must never crash the tool on a glyph or an accented path."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.reconfigure(errors="replace")  # type: ignore[union-attr]
        except (AttributeError, ValueError):
            pass


EPILOG = """\b
Exit codes:
  0  nothing failed
  1  a finding reached --fail-on (default: a check failed or errored), or the command failed
  2  usage error
  130  interrupted (Ctrl-C or SIGTERM); what the run created was removed
"""


@click.group(cls=LazyGroup, epilog=EPILOG, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="dind-doctor")
def cli() -> None:
    """Diagnose containers that start containers: Docker-in-Docker, Docker-out-of-Docker, Airflow
    DockerOperator, CI runners. `dind-doctor check` finds what is wrong and prints the fix for your shell;
    `dind-doctor run-reference` runs an end-to-end smoke test."""


def main() -> None:
    """The command line; the program's entry point is console.main (the collector's pace, then this)."""
    from . import interrupts

    _safe_console()
    interrupts.install()
    try:
        cli(prog_name="dind-doctor")
    except KeyboardInterrupt:  # one that landed outside a command (option parsing, click's own exit path)
        sys.exit(interrupts.EXIT_INTERRUPTED)
    finally:
        gc.freeze()
