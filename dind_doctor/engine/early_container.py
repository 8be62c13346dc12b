"""A probe container created and started over the raw unix socket while docker-py is being imported.

`check` with the engine waits on two things in a row: importing docker-py (requests, urllib3: ~0.1 s of
this process's CPU) and the daemon starting a probe container (0.4-0.65 s of the daemon's time). The
second needs none of the first: for a plain unix-socket endpoint, start_early POSTs the create and the
start with the standard library (engine/unix_http.py) on a thread of its own, before the import; the
probe's code then claims the container and reads it through docker-py as usual (wait, logs, remove).

Nothing here escapes the run's cleanup: the name is registered before the create and the container carries
the run's labels, like every probe. Any failure of the raw path (no image, a refusal, a permission, a
timeout, a malformed answer) is silent: the claim removes whatever was made and the probe takes today's
path. The daemon's refusal to START the container is not such a failure: it is the probe's verdict, given
in the same words docker-py's start would have produced (errors.daemon_reason reads both error types).
Without docker-py (a Ctrl-C during its import, a failed connect), the cleanup removes it over the same
socket (remove_unconnected).
"""
from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any, Sequence

from .. import images
from .early import EARLY_KEY
from .unix_http import UnixHTTPError, call

if TYPE_CHECKING:
    from ..context import Context


def key(image: str | None, command: Sequence[str], component: str, options: dict[str, Any]) -> str:
    """One early container per probe: the same arguments to start_early and run_probe find the same one."""
    return repr((image, list(command), component, sorted(options.items())))


def create_body(image: str, command: Sequence[str], labels: dict[str, str], *, privileged: bool = False,
                network_mode: str | None = None) -> dict[str, Any]:
    """The JSON body docker-py's `containers.create(image, command, labels=..., detach=True, privileged=...,
    network_mode=...)` posts to /containers/create (its _post_json leaves out the null members)."""
    host_config: dict[str, Any] = {"NetworkMode": network_mode or "default"}
    if privileged:
        host_config["Privileged"] = True
    return {"Tty": False, "OpenStdin": False, "StdinOnce": False, "AttachStdin": False, "AttachStdout": False,
            "AttachStderr": False, "Cmd": list(command), "Image": image, "NetworkDisabled": False,
            "HostConfig": host_config, "Labels": dict(labels)}


class EarlyContainer:
    """One raw create + start on a daemon thread; `claim` hands its outcome to docker-py once."""

    def __init__(self, ctx: "Context", socket_path: str, image: str, command: Sequence[str], component: str,
                 options: dict[str, Any]) -> None:
        self.socket_path = socket_path
        self.image = image
        self.name: str | None = None  # registered: it may exist from the create on
        self.id: str | None = None
        self.started = False  # the start was answered: 204, or an error that is the probe's verdict
        self.start_error: UnixHTTPError | None = None
        self._claimed = False
        self._lock = threading.Lock()
        self.thread = threading.Thread(target=self._run, args=(ctx, command, component, options),
                                       name="early-container", daemon=True)

    def _run(self, ctx: "Context", command: Sequence[str], component: str, options: dict[str, Any]) -> None:
        resources = ctx.resources
        try:
            with resources.creating("container", resources.name(component)) as name:
                self.name = name
                body = create_body(self.image, command, resources.labels(component), **options)
                try:
                    answer = call(self.socket_path, "POST", "/containers/create", params={"name": name}, body=body,
                                  timeout=ctx.timeout, expect=(201,))
                except UnixHTTPError as exc:
                    if exc.status_code is None:
                        raise  # no answer: it may exist, or appear (the registry keeps it uncertain)
                    answer = None  # the daemon said no (no such image, a refusal): nothing was created
            if answer is None:
                resources.forget("container", name)
                self.name = None
                return
            ident = answer.get("Id") if isinstance(answer, dict) else None
            if not isinstance(ident, str) or not ident or resources.closed:
                return
            self.id = ident
            try:
                call(self.socket_path, "POST", f"/containers/{ident}/start", timeout=ctx.timeout, expect=(204, 304))
            except UnixHTTPError as exc:
                if exc.status_code is None or exc.status_code == 404:
                    return  # no answer, or gone: today's path tries again
                self.start_error = exc
            self.started = True
        except Exception:  # RunClosed, no socket, no image, refused: today's path (the claim tidies up)
            pass

    def claim(self, ctx: "Context") -> tuple[Any, UnixHTTPError | None] | None:
        """(the docker-py container, the daemon's refusal to start it or None) for the first caller once
        the raw calls are done; None when the raw path failed (what it made is removed first) or was
        claimed already."""
        with self._lock:
            if self._claimed:
                return None
            self._claimed = True
        self.thread.join(2 * ctx.timeout + 1.0)  # each raw call has ctx.timeout
        from .probes import image_present, remove_labelled

        client = ctx.docker()
        if self.started and self.id and self.name and not self.thread.is_alive():
            image_present(ctx, self.image)
            return client.containers.prepare_model({"Id": self.id, "Name": "/" + self.name}), self.start_error
        if self.name is not None:  # made or maybe made: removed by name (a 404 leaves it to the run's cleanup)
            remove_labelled(ctx, client.containers.prepare_model({"Id": self.name, "Name": "/" + self.name}))
        return None

    def remove_raw(self, timeout: float) -> str | None:
        """Remove the container over the socket (no docker-py): its name when it went, None when it was not
        there; UnixHTTPError when the daemon could not remove it."""
        if self.name is None:
            return None
        try:
            call(self.socket_path, "DELETE", f"/containers/{self.name}", params={"force": "1", "v": "1"},
                 timeout=timeout, expect=(204,))
        except UnixHTTPError as exc:
            if exc.status_code == 404:
                return None
            raise
        return self.name


def start_early(ctx: "Context", command: Sequence[str], *, image: str | None = None, component: str = "probe",
                **options: Any) -> None:
    """Start run_probe(ctx, command, image=..., component=..., early=True, **options)'s container now, over
    the raw socket, when the endpoint is a plain unix socket (npipe, TCP, TLS and SSH keep today's path)."""
    import socket

    ep = ctx.endpoint
    if ctx.static or ep is None or ep.socket_path is None or ep.tls is not None or not hasattr(socket, "AF_UNIX"):
        return
    if ctx.connected or ctx.resources.closed:  # docker-py is there already: nothing to overlap
        return
    early = EarlyContainer(ctx, ep.socket_path, image or images.probe_image(ctx.env), command, component, options)
    registry: dict[str, EarlyContainer] = ctx.memo(EARLY_KEY, dict)
    if registry.setdefault(key(image, command, component, options), early) is early:  # once per probe
        early.thread.start()


def claim(ctx: "Context", image: str | None, command: Sequence[str], component: str,
          options: dict[str, Any]) -> tuple[Any, UnixHTTPError | None] | None:
    """The early container started with these arguments, claimed (see EarlyContainer.claim); None when
    there is none."""
    early = (ctx.memo_peek(EARLY_KEY) or {}).get(key(image, command, component, options))
    return early.claim(ctx) if early is not None else None


def remove_unconnected(ctx: "Context", pauses: Sequence[float]) -> tuple[list[str], list[str]]:
    """The cleanup's part when docker-py never connected (Ctrl-C during its import, a failed connect): the
    early containers removed over the socket. A create still in flight is looked for again after each of
    `pauses`. Returns (removed lines, problems)."""
    import time

    removed, problems = [], []
    for early in (ctx.memo_peek(EARLY_KEY) or {}).values():
        for pause in (0.0, *pauses):
            time.sleep(pause)
            try:
                name = early.remove_raw(ctx.timeout)
            except UnixHTTPError as exc:
                problems.append(f"container {early.name}: {exc}")
                break
            if name is not None:
                removed.append(f"container {name}")
            in_flight = early.thread.is_alive() or ("container", early.name) in ctx.resources.uncertain
            if name is not None or not in_flight:
                break
    return removed, problems
