"""The run-reference engine: the seed's programme (build the outer image, start it as run_host does, run the
unchanged `docker compose up --exit-code-from extractor_sql` inside it), verified, timed and cleaned up."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from ..engine import cleanup
from ..interrupts import EXIT_INTERRUPTED, sigterm_as_interrupt
from ..secret_sources import project_masker
from . import module_steps, project as proj
from .options import Images, Options, UsageProblem, images_from_env, s3_recipe
from .outer import Exec, build_outer_image, copy_image_to_inner_daemon, host_resolvers, start_outer, \
    wait_for_inner_daemon
from .preflight import preflight
from .run_host import run_host
from .servers import Credentials, module_env, start_servers
from .timeline import StageFailed, Timeline
from .user_dag import UserDag, place_user_dag, read_user_dag

COMPONENT = "run-reference"
EXIT_FAILED, EXIT_USAGE = 1, 2


def _read_env_file(path: Any) -> dict[str, str]:
    import os

    from ..project.files import env_values, read_file

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

    def echo_removal_commands(self, intro: str) -> None:
        self.echo(intro)
        for line in cleanup.removal_commands(self.ctx.run_id, [self.prefix]):
            self.echo(f"    {line}")

    def preflight_on_work_copy(self) -> str:
        """The checks on the module copy, with this run's id (its probes carry the run's labels)."""
        import dataclasses

        project = self.work.project if self.work is not None else self.ctx.project
        checked = dataclasses.replace(self.ctx, project=project)
        try:
            return preflight(checked, self.o.force, self.echo)
        finally:
            # what a probe left, before this Context's client is closed (the run's own cleanup sweeps)
            cleanup.cleanup_run(checked, sweep=False)
            checked.close()

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
        run_id = self.ctx.run_id
        # The module copy first, with the app/.env this run gives it: the preflight checks the module as it
        # will run (the shipped hosted/ has no app/.env of its own, and env-file rightly fails without one).
        with self.timeline.stage("prepare the module copy") as st:
            self.work = proj.make_work_copy(self.ctx.project, self.compose_file)
            st.note = str(self.work.project)
            if self.user_dag is not None:  # the checks and Airflow see the user's DAG, not the shipped one
                st.note += f"; DAG {place_user_dag(self.work.project, self.user_dag)}"
        creds = None
        if self.user_env is not None and o.env_file is not None:
            self.mask.add_env(self.user_env)
            proj.copy_env_file(self.work, o.env_file)
        else:
            creds = Credentials.generate()
            self.mask.add(*creds.values())
            proj.write_env(self.work, module_env(creds, wrong_password=o.fault == "wrong-password"))
        if o.preflight:
            self.pull_images("the preflight's probes", "probe", engine_optional=True)
            with self.timeline.stage("preflight checks") as st:
                st.note = self.preflight_on_work_copy()
        with self.timeline.stage("connect to the engine") as st:
            client = self.connect()
            endpoint_url = self.ctx.endpoint.url if self.ctx.endpoint else ""  # connected: resolved
            st.note = self.ctx.endpoint.display if self.ctx.endpoint else ""
        if o.via == "airflow":
            from . import airflow_run

            env = module_env(creds, wrong_password=o.fault == "wrong-password") if creds is not None \
                else (self.user_env or {})
            return airflow_run.programme(self, client, creds, env)

        outer_tag = f"dind-doctor/reference-outer:{run_id}"
        # The classic builder builds every stage of Dockerfile.host up to the target (docker-cli, dind, dood),
        # and the dind mode hands the Python image over to the inner daemon: all three, in both modes.
        self.pull_images("the outer image", "python", "docker_cli", "dind")
        with self.timeline.stage(f"build the outer image ({o.mode})") as st:
            build_outer_image(client, context=str(self.work.outer_context), target=o.mode, tag=outer_tag,
                              build_args={"PYTHON_IMAGE": self.images.python, "DIND_IMAGE": self.images.dind,
                                          "DOCKER_CLI_IMAGE": self.images.docker_cli},
                              labels=self.labels, timeout=o.build_timeout, on_line=self.stream(False))
            st.note = outer_tag

        servers = None
        if creds is not None:
            self.pull_images("the servers", "postgres", "s3")
            with self.timeline.stage("start PostgreSQL and S3") as st:
                servers = start_servers(client, resources=self.ctx.resources, run_labels=self.labels,
                                        prefix=self.prefix, postgres_image=self.images.postgres, s3_image=self.images.s3,
                                        recipe=self.recipe, creds=creds, seed=o.fault != "missing-table",
                                        note=lambda text: setattr(st, "note", text))

        dood = o.mode == "dood"
        proj.write_override(
            self.work, labels=self.labels, build_args={"PYTHON_IMAGE": self.images.python},
            container_name=f"extractor_sql_dag-{run_id}" if dood else None,
            image=f"extractor_sql_dag_img:{self.prefix}" if dood else None,
            network=servers.network if (dood and servers) else None,
            extra_hosts=servers.addresses if (servers and not dood) else None)
        env = proj.compose_env(self.work, self.prefix)

        with self.timeline.stage("start the outer container") as st:
            notes: list[str] = []
            dns = [] if dood else host_resolvers(self.ctx, outer_tag, COMPONENT)
            cid = start_outer(client, resources=self.ctx.resources, image=outer_tag, name=f"{self.prefix}-outer",
                              mode=o.mode, project_dir=str(self.work.project), labels=self.labels,
                              network=None if dood else (servers.network if servers else None), dns=dns,
                              note=notes.append)
            for text in notes:
                self.echo(f"    {text}")
            outer = Exec(client, cid, self.mask, run_host(o.mode).workdir)
            st.note = f"{self.prefix}-outer" + (" (socket mounted, not privileged)" if dood else "")
        if not dood:
            with self.timeline.stage("inner daemon ready, base image loaded") as st:
                wait_for_inner_daemon(outer)
                copied = copy_image_to_inner_daemon(client, outer, self.images.python,
                                                    endpoint_url, o.build_timeout)
                st.note = f"{self.images.python} {'present' if copied else 'to be pulled by the inner daemon'}"

        with self.timeline.stage("docker compose build (the module image)"):
            outer.check(module_steps.BUILD, "building the module image", env=env, timeout=o.build_timeout,
                        on_line=self.stream(False))
        with self.timeline.stage("read validated.csv before") as st:
            rows = module_steps.count_rows(outer, env, create_bucket=creds is not None, timeout=180)
            st.note = f"{rows} row(s)"

        for attempt in range(1, o.runs + 1):
            with self.timeline.stage(f"docker compose up --exit-code-from extractor_sql (run {attempt})") as st:
                self.echo(f"    $ {' '.join(module_steps.UP)}")
                module_code, _ = outer.run(module_steps.UP, env=env, timeout=o.module_timeout,
                                           on_line=self.stream(True))
                st.note = f"module exit code {module_code}"
            with self.timeline.stage(f"verify run {attempt}") as st:
                running = module_steps.still_running(module_steps.module_containers(outer, env))
                if running:
                    raise StageFailed("module containers still running: " + ", ".join(running))
                if module_code != 0:
                    st.note = "every module container exited; the module failed"
                    self.echo(f"run-reference: the module exited with code {module_code} (its output is above)")
                    return module_code
                after = module_steps.count_rows(outer, env, create_bucket=False, timeout=180)
                st.note = f"rows {rows} -> {after}; every module container exited"
                rows = module_steps.one_more_row(rows, after)
        self.echo(f"run-reference: passed: {o.runs} run(s), validated.csv now holds {rows} row(s)")
        return 0

    def finish(self, code: int) -> int:
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
            self.ctx.close()
        for line in self.timeline.summary():
            self.echo(line)
        return code
