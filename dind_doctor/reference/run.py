"""The run-reference engine: the seed's programme (build the outer image, start it as run_host does, run the
unchanged `docker compose up --exit-code-from extractor_sql` inside it), verified, timed and cleaned up."""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Mapping

from ..engine import cleanup
from ..interrupts import EXIT_INTERRUPTED, sigterm_as_interrupt
from ..secret_sources import project_masker
from . import project as proj
from .options import COMPONENT, Images, Options, UsageProblem, images_from_env, s3_recipe
from .preflight import preflight
from .rows import RowReader
from .servers import Credentials, Servers, module_env, start_servers
from .timeline import Background, StageFailed, Timeline
from .user_dag import UserDag, place_user_dag, read_user_dag

if TYPE_CHECKING:
    from ..context import Context

EXIT_FAILED, EXIT_USAGE = 1, 2


def _read_env_file(path: Any) -> dict[str, str]:
    import os

    from ..project.file_text import env_values, read_file

    # The user named this file: a link is followed to its folder, but a FIFO or device is never opened.
    content = read_file(Path(path), str(path), root=Path(os.path.realpath(path)).parent)
    if content.refused in ("missing", "directory"):
        raise UsageProblem(f"--env-file {path} is not a file")
    if not content.usable:
        raise UsageProblem(f"--env-file {path}: {content.problem}")
    values = env_values(content)
    if not values.get("LOGGER_SQL_URI"):
        raise UsageProblem(f"--env-file {path} does not set LOGGER_SQL_URI (see hosted/app/.env.example)")
    return values


def run(options: Options, echo: Callable[[str], None]) -> int:
    try:
        images = images_from_env()
        recipe = None if options.env_file else s3_recipe(images.s3)
        user_env = _read_env_file(options.env_file) if options.env_file else None
        source = proj.module_source(options.project)
        compose_file = proj.module_compose_file(source)
        user_dag = read_user_dag(options.dag, options.task or "") if options.dag is not None else None
    except UsageProblem as exc:  # before the run's Context: masked with the environment's values
        import os

        from ..secret_sources import environment_masker

        echo(environment_masker(os.environ)(f"run-reference: {exc}"))
        return EXIT_USAGE
    with sigterm_as_interrupt():  # a CI runner's SIGTERM cleans up like Ctrl-C does
        return _Run(options, images, recipe, user_env, source, compose_file, echo, user_dag).execute()


class _Run:
    def __init__(self, options: Options, images: Images, recipe: Any, user_env: dict | None, source: Path,
                 compose_file: str, echo: Callable[[str], None], user_dag: UserDag | None = None) -> None:
        from ..session import make_context

        self.o, self.images, self.recipe, self.user_env = options, images, recipe, user_env
        self.compose_file = compose_file
        self.user_dag = user_dag
        # One Context for the whole run: its run id labels everything the run creates (the preflight's
        # probes too), and its Docker client is the run's only one.
        self.ctx = make_context(source, "auto", options.call_timeout)
        # Every line goes through the run's Masker: the module's values and the environment's, then the
        # credentials of the run (generated, or from --env-file) as soon as they are known.
        self.mask = project_masker(self.ctx)
        self.echo = lambda text: echo(self.mask(text))
        self.timeline = Timeline(self.echo)
        self.prefix = f"ddref-{self.ctx.run_id}"  # also the compose project name
        self.labels = self.ctx.resources.labels(COMPONENT)
        self.ctx.resources.register("project", self.prefix)  # compose's own networks and volumes
        self.work: proj.WorkCopy | None = None
        self.bucket_ready = False  # the embedded S3 server's bucket, created while the servers started
        self.checking: Background | None = None  # the preflight, while it runs in the background
        self.sides: list[Any] = []  # Contexts of side_client()
        self.checked: Context | None = None  # the preflight's Context, once it runs

    # -- helpers ------------------------------------------------------------------------------------
    def stream(self, always: bool) -> Callable[[str], None] | None:
        return (lambda line: self.echo(f"    | {line}")) if (always or self.o.verbose) else None

    def connect(self) -> Any:
        from ..engine.errors import EngineUnavailable

        try:
            return self.ctx.docker()
        except EngineUnavailable as exc:
            raise StageFailed(f"no Docker engine: {exc}") from None

    def pull_images(self, purpose: str, *roles: str, engine_optional: bool = False) -> None:
        """A stage that pulls what the next stage needs and the engine lacks, before it is needed: the
        daemon would otherwise fail the create with ImageNotFound (a build would pull silently)."""
        from ..context import EngineUnavailable
        from ..pulls import PullFailed, pull_missing

        if engine_optional:
            try:
                self.ctx.docker()
            except EngineUnavailable:
                return  # the preflight's docker-socket check says why, with its fix
        wanted = self.images.wanted(*roles)
        with self.timeline.stage(f"images for {purpose}") as st:
            try:
                pulled = pull_missing(self.connect(), wanted, echo=lambda line: self.echo(f"    {line}"),
                                      timeout=self.o.pull_timeout, idle_timeout=self.o.pull_idle_timeout)
            except PullFailed as exc:
                raise StageFailed(str(exc)) from None
            refs = ", ".join(dict.fromkeys(wanted.values()))
            st.note = f"{len(pulled)} pulled; now present: {refs}" if pulled else f"present: {refs}"

    def servers_in_background(self, creds: Credentials | None, env: Mapping[str, str]) -> Background | None:
        """The embedded servers, started in a thread while the main thread builds an image, on a client of
        their own (the build's call_timeout lengthens its client's socket timeout: each server call keeps
        the usual one); each create registered first, so Ctrl-C and SIGTERM still find them. The bucket is
        created there too, as soon as the S3 server answers."""
        if creds is None:
            return None
        self.pull_images("the servers", "postgres", "s3")
        local = bool(self.ctx.endpoint and self.ctx.endpoint.scheme in ("unix", "npipe"))

        def work(st: Any) -> Servers:
            servers = start_servers(self.side_client(), resources=self.ctx.resources, run_labels=self.labels, prefix=self.prefix,
                                    postgres_image=self.images.postgres, s3_image=self.images.s3,
                                    recipe=self.recipe, creds=creds, seed=self.o.fault != "missing-table",
                                    publish_s3=local, note=lambda text: setattr(st, "note", text))
            self.bucket_ready = RowReader(env, lambda create: 0, servers.s3_endpoint).make_bucket()
            return servers

        return self.timeline.background("start PostgreSQL and S3", work, step=True)

    def servers_ready(self, starting: Background | None) -> Servers | None:
        return self.timeline.join(starting) if starting is not None else None

    def bucket_pending(self, creds: Credentials | None) -> bool:
        """The embedded S3 server's bucket still to be created by the first read."""
        return creds is not None and not self.bucket_ready

    def row_reader(self, env: Mapping[str, str], servers: Servers | None,
                   module_read: Callable[[bool], int]) -> RowReader:
        return RowReader(env, module_read, servers.s3_endpoint if servers else None)

    def side_client(self) -> Any:
        """A second client on the run's engine, for long calls made beside others (call_timeout changes
        its client's socket timeout for the length of a call); closed at the end of the run."""
        import dataclasses

        side = dataclasses.replace(self.ctx)
        self.sides.append(side)
        return side.docker()

    def echo_removal_commands(self, intro: str) -> None:
        self.echo(intro)
        for line in cleanup.removal_commands(self.ctx.run_id, [self.prefix]):
            self.echo(f"    {line}")

    def preflight_on_work_copy(self, echo: Callable[[str], None]) -> str:
        """The checks on the module copy, with this run's id (its probes carry the run's labels)."""
        import dataclasses

        project = self.work.project if self.work is not None else self.ctx.project
        self.checked = checked = dataclasses.replace(self.ctx, project=project)
        try:
            return preflight(checked, self.o.force, echo)
        finally:
            # What a probe left, before this Context's client is closed: by the names it registered only,
            # since the run's servers and images, made meanwhile, carry the same run label. (The run's own
            # cleanup, by label, comes at the end.)
            cleanup.cleanup_run(checked, sweep=False, by_label=False)
            checked.close()

    def preflight_in_background(self) -> None:
        """The checks run while the first image builds; their findings are printed when they are done, and
        a `fail` stops the run then (unless --force), before anything of the module runs."""
        if not self.o.preflight:
            return
        self.pull_images("the preflight's probes", "probe", engine_optional=True)

        output: list[str] = []  # echoed (masked) by the join, in one piece: never amid another stage's lines

        def work(st: Any) -> None:
            st.note = self.preflight_on_work_copy(output.append)

        self.checking = self.timeline.background("preflight checks", work)
        self.checking.output = output

    def preflight_verdict(self, wait: bool = True) -> None:
        """The preflight's findings and verdict once it is done (`wait`: wait for it). Raises StageFailed
        when a check failed (without --force). Called between build steps too, so a failing check stops a
        long build early."""
        job = self.checking
        if job is None or (not wait and job.thread.is_alive()):
            return
        self.checking = None
        self.timeline.join(job)

    def stop_preflight(self) -> None:
        """Ctrl-C, SIGTERM or a failure while the checks run: their registry refuses new probes now, so the
        run's cleanup (which lists by the run's labels) cannot miss one created after it looked."""
        checked = self.checked
        if checked is not None:
            checked.resources.close(wait=min(max(checked.timeout, 2.0), 10.0))

    # -- the programme ------------------------------------------------------------------------------
    def execute(self) -> int:
        self.echo(f"run-reference {self.ctx.run_id}: "
                  f"{'via airflow' if self.o.via == 'airflow' else 'mode ' + self.o.mode}, "
                  f"{'credentials from ' + str(self.o.env_file) if self.o.env_file else 'embedded servers'}")
        code = EXIT_FAILED
        try:
            code = self.programme()
        except StageFailed as exc:
            self.echo(f"run-reference failed: {exc}")
        except UsageProblem as exc:
            self.echo(f"run-reference: {exc}")
            code = EXIT_USAGE
        except KeyboardInterrupt:
            self.echo("run-reference interrupted: cleaning up")
            code = EXIT_INTERRUPTED
        except Exception as exc:  # docker-py errors and the like: a message, never a traceback
            self.echo(f"run-reference failed: {type(exc).__name__}: {exc}")
            if self.o.verbose:  # ...except when asked for every detail
                import traceback

                self.echo(traceback.format_exc())
        finally:
            code = self.finish(code)
        return code

    def programme(self) -> int:
        o = self.o
        # The module copy first, with the app/.env this run gives it: the preflight checks the module as it
        # will run (the shipped hosted/ has no app/.env of its own, and env-file rightly fails without one).
        with self.timeline.stage("prepare the module copy") as st:
            self.work = proj.make_work_copy(self.ctx.project, self.compose_file)
            st.note = str(self.work.project)
            if self.user_dag is not None:  # the checks and Airflow see the user's DAG, not the shipped one
                st.note += f"; DAG {place_user_dag(self.work.project, self.user_dag)}"
        creds = None
        if self.user_env is not None and o.env_file is not None:
            env: Mapping[str, str] = self.user_env
            self.mask.add_env(self.user_env)
            proj.copy_env_file(self.work, o.env_file)
        else:
            creds = Credentials.generate()
            self.mask.add(*creds.values())
            env = module_env(creds, wrong_password=o.fault == "wrong-password")
            proj.write_env(self.work, env)
        self.preflight_in_background()
        with self.timeline.stage("connect to the engine") as st:
            try:
                client = self.connect()
            except StageFailed:
                self.preflight_verdict()  # its docker-socket check says why there is no engine, with the fix
                raise
            st.note = self.ctx.endpoint.display if self.ctx.endpoint else ""
        if o.via == "airflow":
            from . import airflow_run

            return airflow_run.programme(self, client, creds, env)
        from . import compose_run

        return compose_run.programme(self, client, creds, env)

    def finish(self, code: int) -> int:
        self.stop_preflight()
        try:
            # Connected, whether by the preflight's checks or by the run: something may have been created.
            if self.ctx.connected:
                if self.o.keep:
                    self.echo_removal_commands("--keep: everything this run created is still there. To remove it:")
                    if self.work is not None:
                        self.echo(f"    rm -rf {self.work.root}    # the module copy; its app/.env holds secrets")
                else:
                    with self.timeline.stage("clean up") as st:
                        report = cleanup.cleanup_run(self.ctx, images=True)
                        for line in report.swept:
                            self.echo(f"    {line}")
                        left = {k: v for k, v in cleanup.leftovers(self.ctx.docker(), self.ctx.run_id, [self.prefix],
                                                                   images=True).items() if v}
                        st.note = "nothing left" if not (report.problems or left) else f"LEFT: {left} {report.problems}"
                        if report.problems or left:
                            code = code or EXIT_FAILED
        except KeyboardInterrupt:
            self.echo_removal_commands("interrupted during the clean-up: run it by hand:")
            code = EXIT_INTERRUPTED
        except Exception as exc:
            self.echo(f"clean-up failed: {type(exc).__name__}: {exc}")
            code = code or EXIT_FAILED
        finally:
            if self.work is not None and not self.o.keep:
                proj.remove_work_copy(self.work)
            for side in [self.ctx, *self.sides]:
                side.close()
        for line in self.timeline.summary():
            self.echo(line)
        return code
