"""The outer container (the seed's `python-dind`): its image, its start in dood or dind mode, and running
commands in it the way a user types them at its prompt."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import threading
import time
from collections import deque
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Callable, Iterator, Mapping

from .. import dind_workaround, subprocesses
from ..engine.errors import daemon_reason
from ..engine.probes import run_probe
from .project import OUTER_DOCKERFILE
from .run_host import run_host
from .timeline import StageFailed

if TYPE_CHECKING:
    from ..context import Context
    from ..engine.resources import RunResources

INNER_DAEMON_SECONDS = 60.0
# compose colours some lines even without a terminal; relayed with a prefix they only garble the output.
ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")

# What the engine says when it may not grant --privileged (rootless engines, microVMs, this project's CI).
PRIVILEGED_REFUSED = re.compile(r"unable to apply caps|operation not permitted|privileged", re.IGNORECASE)
DIND_WORKAROUND = dind_workaround.cli_flags("<volume>")


@contextmanager
def call_timeout(client: Any, seconds: float) -> Iterator[None]:
    """A longer socket timeout for one long call (a build, a module run); the usual one afterwards."""
    api = client.api
    saved = api.timeout
    api.timeout = seconds
    try:
        yield
    finally:
        api.timeout = saved


def build_outer_image(client: Any, *, context: str, target: str | None, tag: str, build_args: Mapping[str, str],
                      labels: Mapping[str, str], timeout: float,
                      on_line: Callable[[str], None] | None, dockerfile: str = OUTER_DOCKERFILE,
                      what: str = "the outer image", poll: Callable[[], None] | None = None) -> str:
    """Builds with the classic builder; returns how many of its steps came from the build cache. `poll` is
    called at each piece of output: what it raises stops the build (closing the stream cancels it)."""
    tail: deque[str] = deque(maxlen=30)
    steps = cached = 0
    # The build's own timeout (not call_timeout's): the servers start on the same client meanwhile.
    stream = client.api.build(path=context, dockerfile=dockerfile, target=target, tag=tag, timeout=timeout,
                              buildargs=dict(build_args), labels=dict(labels), rm=True, forcerm=True, decode=True)
    for chunk in stream:
        if poll is not None:
            poll()
        if "error" in chunk:
            raise StageFailed(f"building {what} failed: " + chunk["error"].strip()
                              + ("\n" + "\n".join(tail) if tail else ""))
        for line in chunk.get("stream", "").splitlines():
            if line.strip():
                steps += line.startswith("Step ")
                cached += line.strip() == "---> Using cache"
                tail.append(line)
                if on_line:
                    on_line(line)
    return f"{cached} of {steps} step(s) from the build cache"


def host_resolvers(ctx: "Context", image: str, component: str) -> list[str]:
    """The name servers a default-bridge container gets (the host's). An inner daemon started on a
    user-defined network would only see Docker's embedded 127.0.0.11, which it cannot use, and fall back to
    8.8.8.8: its builds then fail to resolve PyPI wherever public DNS is filtered."""
    output = run_probe(ctx, ["/etc/resolv.conf"], image=image, component=component, entrypoint=["cat"]).output
    servers = re.findall(r"^\s*nameserver\s+(\S+)", output, re.MULTILINE)
    return [s for s in servers if not s.startswith("127.") and s != "::1"]


def start_outer(client: Any, *, resources: "RunResources", image: str, name: str, mode: str, project_dir: str,
                labels: Mapping[str, str], network: str | None, dns: list[str], note: Callable[[str], None]) -> str:
    """Creates and starts the outer container; returns its id. dind: tries --privileged, and when the engine
    refuses it, explains why and starts it with the capability workaround instead."""
    api = client.api
    host = run_host(mode)  # hosted/run_host.sh, read by the one docker-command reader
    binds = {project_dir: {"bind": host.module_target, "mode": "rw"}}
    if mode == "dood":
        # run_host: the daemon's socket and the module folder. No --privileged: the socket is all DooD needs.
        binds.update({source: {"bind": target, "mode": "rw"} for source, target in host.sockets})
        command: list[str] | None = ["sleep", "infinity"]  # a prompt that waits, like run_host's bash
    else:
        command = [arg for server in dns for arg in ("--dns", server)] or None  # dockerd flags

    def create(host_config: dict) -> str:
        networking = api.create_networking_config({network: api.create_endpoint_config()}) if network else None
        with resources.creating("container", name):
            created = api.create_container(image, command=command, name=name, labels=dict(labels),
                                           working_dir=host.workdir, host_config=host_config,
                                           networking_config=networking, detach=True)
        return created["Id"]

    if mode == "dood":
        cid = create(api.create_host_config(binds=binds, network_mode=network or "default"))
        api.start(cid)
        return cid

    with resources.creating("volume", f"{name}-var-lib-docker") as volume:
        client.volumes.create(volume, labels=dict(labels))
    binds_dind = dict(binds, **{volume: {"bind": "/var/lib/docker", "mode": "rw"}})
    cid = create(api.create_host_config(binds=binds_dind, privileged=True, network_mode=network or "default"))
    try:
        api.start(cid)
        note("started with --privileged")
        return cid
    except Exception as exc:  # docker.errors.APIError; anything else is re-raised below
        if not PRIVILEGED_REFUSED.search(str(exc)):
            raise
        api.remove_container(cid, force=True)
        reason = daemon_reason(exc).strip()
        note(f"the engine refused --privileged ({reason}): its capability "
             "bounding set lacks a capability --privileged asks for (rootless engines, microVMs, some CI "
             "machines). Retrying with the equivalent that stays within it: " + DIND_WORKAROUND)
    host_config = api.create_host_config(
        binds=dict(binds_dind, **dind_workaround.CGROUP_BIND), network_mode=network or "default",
        **dind_workaround.API_KWARGS)
    # --security-opt systempaths=unconfined is a CLI spelling: the API takes empty masked/read-only path lists.
    host_config["MaskedPaths"], host_config["ReadonlyPaths"] = [], []
    cid = create(host_config)
    api.start(cid)
    return cid


class Exec:
    """Runs commands in the outer container, streaming their output line by line (masked)."""

    def __init__(self, client: Any, container_id: str, mask: Callable[[str], str], workdir: str) -> None:
        self.client, self.cid, self.mask, self.workdir = client, container_id, mask, workdir

    def run(self, cmd: list[str], *, env: Mapping[str, str] | None = None, timeout: float,
            on_line: Callable[[str], None] | None = None) -> tuple[int, list[str]]:
        """(exit code, last lines). Past `timeout` the outer container is killed (it is ours): a hung
        module cannot hang the run."""
        api = self.client.api
        tail: deque[str] = deque(maxlen=60)
        timed_out = threading.Event()

        def kill() -> None:
            timed_out.set()
            try:
                api.kill(self.cid)
            except Exception:
                pass

        watchdog = threading.Timer(timeout, kill)
        watchdog.daemon = True
        exec_id = api.exec_create(self.cid, cmd, environment=dict(env or {}), workdir=self.workdir)["Id"]
        watchdog.start()
        try:
            with call_timeout(self.client, timeout + 30):
                pending = ""
                for chunk in api.exec_start(exec_id, stream=True):
                    pending += chunk.decode("utf-8", "replace")
                    *lines, pending = pending.split("\n")
                    for line in lines:
                        self._emit(line, tail, on_line)
                if pending:
                    self._emit(pending, tail, on_line)
        finally:
            watchdog.cancel()
        if timed_out.is_set():
            raise StageFailed(f"`{' '.join(cmd)}` took more than {timeout:.0f} s: stopped")
        return api.exec_inspect(exec_id)["ExitCode"], list(tail)

    def _emit(self, line: str, tail: deque[str], on_line: Callable[[str], None] | None) -> None:
        line = self.mask(ANSI_ESCAPE.sub("", line).rstrip("\r"))
        tail.append(line)
        if on_line:
            on_line(line)

    def check(self, cmd: list[str], what: str, **kwargs: Any) -> list[str]:
        code, tail = self.run(cmd, **kwargs)
        if code != 0:
            raise StageFailed(f"{what} failed (exit {code}):\n" + "\n".join(tail[-20:]))
        return tail


def wait_for_inner_daemon(outer: Exec) -> None:
    deadline = time.monotonic() + INNER_DAEMON_SECONDS
    while True:
        code, tail = outer.run(["docker", "version", "--format", "{{.Server.Version}}"], timeout=20)
        if code == 0:
            return
        if time.monotonic() > deadline:
            raise StageFailed("the outer container's own dockerd did not answer within "
                              f"{INNER_DAEMON_SECONDS:.0f} s:\n" + "\n".join(tail[-10:]))
        time.sleep(0.5)


def copy_image_to_inner_daemon(client: Any, outer: Exec, image: str, docker_host: str, timeout: float) -> bool:
    """The inner daemon starts with no images. When the host's daemon has the module's base image, hand it
    over (`docker save | docker exec -i ... docker load`) instead of pulling it again (or failing offline).
    Returns False when the host does not have it: the inner daemon will pull it itself."""
    code, _ = outer.run(["docker", "image", "inspect", image], timeout=20)
    if code == 0:
        return True
    try:
        client.images.get(image)
    except Exception:
        return False
    cli = shutil.which("docker")
    if cli is None:
        raise StageFailed(f"the docker CLI is needed on this machine to copy {image} into the inner daemon")
    env = dict(os.environ, DOCKER_HOST=docker_host)
    # Both children in their own process group, killed whole on a timeout or an interrupt.
    save = subprocesses.spawn([cli, "save", image], env=env, stdout=subprocess.PIPE)
    try:
        load = subprocesses.run([cli, "exec", "-i", outer.cid, "docker", "load", "-q"], stdin=save.stdout or subprocess.DEVNULL,
                                env=env, timeout=timeout)
        if save.stdout is not None:
            save.stdout.close()
        save.wait(timeout=timeout)
    except subprocesses.ChildFailed as exc:
        raise StageFailed(f"copying {image} into the inner daemon failed: {exc}") from None
    except subprocess.TimeoutExpired:
        raise StageFailed(f"copying {image} into the inner daemon failed: `docker save` did not finish") from None
    finally:
        subprocesses.kill_group(save)
    if load.returncode != 0 or save.returncode != 0:
        raise StageFailed(f"copying {image} into the inner daemon failed: {load.first_error_line()}")
    return True
