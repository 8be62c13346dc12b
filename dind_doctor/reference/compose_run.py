"""`run-reference --via compose` (the default): the seed's programme. The outer image is built while the
servers start; the outer container is started as run_host does, and the unchanged `docker compose up
--exit-code-from extractor_sql` runs at its prompt; validated.csv is read before and after each run."""
from __future__ import annotations

from typing import Any, Mapping

from . import module_steps, project as proj
from .outer import Exec, build_outer_image, copy_image_to_inner_daemon, host_resolvers, start_outer, \
    wait_for_inner_daemon
from .run_host import run_host
from .servers import network_name
from .options import COMPONENT
from .timeline import StageFailed


def programme(run: Any, client: Any, creds: Any, module_env: Mapping[str, str]) -> int:
    """The compose path (`run` is the run's _Run: its options, timeline, labels, images, servers)."""
    o, timeline, images, work = run.o, run.timeline, run.images, run.work
    run_id, prefix = run.ctx.run_id, run.prefix
    endpoint_url = run.ctx.endpoint.url if run.ctx.endpoint else ""  # connected: resolved
    outer_tag = f"dind-doctor/reference-outer:{run_id}"
    # The classic builder builds every stage of Dockerfile.host up to the target (docker-cli, dind, dood),
    # and the dind mode hands the Python image over to the inner daemon: all three, in both modes.
    run.pull_images("the outer image", "python", "docker_cli", "dind")
    starting = run.servers_in_background(creds, module_env)  # while the image builds (and more)
    with timeline.stage(f"build the outer image ({o.mode})", step=True) as st:
        cache = build_outer_image(client, context=str(work.outer_context), target=o.mode, tag=outer_tag,
                                  build_args={"PYTHON_IMAGE": images.python, "DIND_IMAGE": images.dind,
                                              "DOCKER_CLI_IMAGE": images.docker_cli},
                                  labels=run.labels, timeout=o.build_timeout, on_line=run.stream(False),
                                  poll=lambda: run.preflight_verdict(wait=False))
        st.note = f"{outer_tag} ({cache})"
    run.preflight_verdict()  # before anything of the module starts
    dood = o.mode == "dood"
    # dind: the outer container joins the servers' network and the module reaches them by address, so they
    # must be up before it starts. dood: only the module needs them; they go on starting until its first read.
    servers = None if dood else run.servers_ready(starting)
    proj.write_override(
        work, labels=run.labels, build_args={"PYTHON_IMAGE": images.python},
        container_name=f"extractor_sql_dag-{run_id}" if dood else None,
        image=f"extractor_sql_dag_img:{prefix}" if dood else None,
        network=network_name(prefix) if (dood and creds is not None) else None,
        extra_hosts=servers.addresses if (servers and not dood) else None)
    env = proj.compose_env(work, prefix)

    with timeline.stage("start the outer container", step=True) as st:
        notes: list[str] = []
        dns = [] if dood else host_resolvers(run.ctx, outer_tag, COMPONENT)
        cid = start_outer(client, resources=run.ctx.resources, image=outer_tag, name=f"{prefix}-outer",
                          mode=o.mode, project_dir=str(work.project), labels=run.labels,
                          network=None if dood else (servers.network if servers else None), dns=dns,
                          note=notes.append)
        for text in notes:
            run.echo(f"    {text}")
        outer = Exec(client, cid, run.mask, run_host(o.mode).workdir)
        st.note = f"{prefix}-outer" + (" (socket mounted, not privileged)" if dood else "")
    if not dood:
        with timeline.stage("inner daemon ready, base image loaded", step=True) as st:
            wait_for_inner_daemon(outer)
            copied = copy_image_to_inner_daemon(client, outer, images.python, endpoint_url, o.build_timeout)
            st.note = f"{images.python} {'present' if copied else 'to be pulled by the inner daemon'}"

    with timeline.stage("docker compose build (the module image)", step=True):
        outer.check(module_steps.BUILD, "building the module image", env=env, timeout=o.build_timeout,
                    on_line=run.stream(False))
    if dood:
        servers = run.servers_ready(starting)
    reader = run.row_reader(module_env, servers,
                            lambda create: module_steps.count_rows(outer, env, create_bucket=create, timeout=180))
    with timeline.stage("read validated.csv before") as st:
        rows = reader.count(create_bucket=run.bucket_pending(creds))
        st.note = f"{rows} row(s), {reader.note}"

    for attempt in range(1, o.runs + 1):
        with timeline.stage(f"docker compose up --exit-code-from extractor_sql (run {attempt})", step=True) as st:
            run.echo(f"    $ {' '.join(module_steps.UP)}")
            module_code, _ = outer.run(module_steps.UP, env=env, timeout=o.module_timeout, on_line=run.stream(True))
            st.note = f"module exit code {module_code}"
        with timeline.stage(f"verify run {attempt}") as st:
            # dood: the module's containers are the engine's, listed by their compose project; dind: they
            # are the inner daemon's, and only compose in the outer container sees them.
            containers = module_steps.project_containers(client, prefix) if dood \
                else module_steps.module_containers(outer, env)
            running = module_steps.still_running(containers)
            if running:
                raise StageFailed("module containers still running: " + ", ".join(running))
            if module_code != 0:
                st.note = "every module container exited; the module failed"
                run.echo(f"run-reference: the module exited with code {module_code} (its output is above)")
                return module_code
            after = reader.count(create_bucket=False)
            st.note = f"rows {rows} -> {after}; every module container exited"
            rows = module_steps.one_more_row(rows, after)
    run.echo(f"run-reference: passed: {o.runs} run(s), validated.csv now holds {rows} row(s)")
    return 0
