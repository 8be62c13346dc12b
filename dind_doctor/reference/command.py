"""`dind-doctor run-reference`: the click command. Only click is imported here (the engine loads on use)."""
from __future__ import annotations

import sys
from pathlib import Path

import click


@click.command("run-reference")
@click.option("--mode", type=click.Choice(["dood", "dind"]), default="dood", show_default=True,
              help="dood: the host's socket mounted, as the seed's run_host does. dind: the outer container "
                   "runs its own dockerd (--privileged, or a capability workaround where it is refused).")
@click.option("--via", type=click.Choice(["compose", "airflow"]), default="compose", show_default=True,
              help="compose: the seed's `docker compose up` in the outer container. airflow: the same module image "
                   "started by a real Airflow DockerOperator (`airflow tasks test`) from an Airflow container "
                   "that reaches the daemon through the mounted socket (DIND_DOCTOR_AIRFLOW_IMAGE, default "
                   "apache/airflow:2.10.3).")
@click.option("--env-file", type=click.Path(dir_okay=False, path_type=Path),
              help="Your real credentials (app/.env: LOGGER_SQL_URI, AWS_*). Without it, a PostgreSQL and an "
                   "S3-compatible server are started for the run on a private network.")
@click.option("--project", type=click.Path(file_okay=False, path_type=Path),
              help="A module folder with the extractor_sql service (default: the shipped hosted/ module). "
                   "It is copied: your folder is never written.")
@click.option("--runs", type=click.IntRange(min=1), default=1, show_default=True,
              help="How many times to run `docker compose up` (the seed ran it twice); each run must add a row.")
@click.option("--dag", type=click.Path(dir_okay=False, path_type=Path),
              help="With --via airflow: run your own DAG file instead of the shipped one; the airflow-* checks "
                   "read it first and a failing one stops the run (unless --force: then Airflow's own error).")
@click.option("--task", help="With --dag: the id of the task to run (`airflow tasks test DAG TASK`).")
@click.option("--keep", is_flag=True, help="Keep what the run created, and print how to remove it.")
@click.option("--force", is_flag=True, help="Run even when a preflight check fails.")
@click.option("--verbose", "-v", is_flag=True, help="Stream the image builds' output too.")
@click.option("--fault", type=click.Choice(["missing-table", "wrong-password"]), hidden=True,
              help="Make the module fail on purpose (embedded servers only): to see a failure end to end.")
def run_reference_command(mode: str, via: str, env_file: Path | None, project: Path | None, runs: int, dag: Path | None,
                          task: str | None, keep: bool, force: bool, verbose: bool, fault: str | None) -> None:
    """Run the user's smoke test end to end: build the outer image, start it as run_host does, run the
    unchanged `docker compose up --exit-code-from extractor_sql` inside it, and verify that validated.csv
    gained one row per run and that the module's containers exited.

    Everything created is labelled and removed at the end (also on failure and Ctrl-C) unless --keep.
    The exit code is the module's; 1 when run-reference itself failed; 2 for bad input; 130 when interrupted.
    Images: DIND_DOCTOR_PYTHON_IMAGE, _DIND_IMAGE, _DOCKER_CLI_IMAGE, _POSTGRES_IMAGE, _S3_IMAGE (and
    DIND_DOCTOR_S3_COMMAND for an S3 image without a built-in recipe).
    """
    from . import run_reference

    sys.exit(run_reference(echo=click.echo, mode=mode, via=via, env_file=env_file, project=project, runs=runs, dag=dag, task=task,
                           keep=keep, force=force, verbose=verbose, fault=fault))
