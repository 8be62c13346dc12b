"""The command line. Nothing else in dind-doctor prints.

Exit codes: 0 nothing failed; 1 a check failed or errored (with --strict a warning counts as a failure),
or the command itself failed; 2 usage error.
Commands are imported lazily so that `dind-doctor --help` stays instant: a command module imports only
click at its top, and docker-py is imported on first use.
"""
from __future__ import annotations

import importlib
import sys
from pathlib import Path

import click

from . import __version__
from .model import SHELLS

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2

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
        net for the rest (an option's value, a config file's line, a daemon's answer)."""
        try:
            return super().invoke(ctx)
        except click.ClickException as exc:
            import os

            from .secret_sources import environment_masker

            exc.message = environment_masker(os.environ)(exc.message)
            raise


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
"""


@click.group(cls=LazyGroup, epilog=EPILOG, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="dind-doctor")
def cli() -> None:
    """Diagnose containers that start containers: Docker-in-Docker, Docker-out-of-Docker, Airflow
    DockerOperator, CI runners. `dind-doctor check` finds what is wrong and prints the fix for your shell;
    `dind-doctor run-reference` runs an end-to-end smoke test."""


def main() -> None:
    _safe_console()
    cli(prog_name="dind-doctor")


# Shared option helpers for the commands.
def project_option(f):
    return click.option("--project", "project", type=click.Path(file_okay=False, path_type=Path),
                        default=".", show_default=True,
                        help="The project folder (scripts, compose files, Dockerfiles, in any sub-folder).")(f)


def shell_option(f):
    return click.option("--shell", type=click.Choice(("auto",) + SHELLS), default="auto", show_default=True,
                        help="Write fixes for this shell (auto: detected from the parent processes).")(f)


def timeout_option(f):
    return click.option("--timeout", type=click.FloatRange(min=0.1), default=5.0, show_default=True,
                        help="Seconds each Docker call may take before the daemon counts as hanging.")(f)
