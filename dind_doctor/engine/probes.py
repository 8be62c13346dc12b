"""Short-lived, labelled probe containers: registered, created, run, read and removed, even on failure,
Ctrl-C or SIGTERM (the run's cleanup removes what a `finally` here could not reach)."""
from __future__ import annotations

import contextlib
from ..records import dataclass
from typing import TYPE_CHECKING, Any, Iterator

from .. import images
from .errors import ImageUnavailable, ProbeError, daemon_reason

if TYPE_CHECKING:
    from ..context import Context


PULL_SECONDS = 300.0  # a probe image is small: a pull slower than this is stuck


@dataclass(frozen=True)
class ProbeResult:
    exit_code: int
    output: str  # stdout and stderr, decoded leniently


def ensure_image(ctx: "Context", ref: str | None = None) -> str:
    """Make sure an image (default: the probe image) is present, pulling it once if a registry is
    reachable. Checked once per run: every probe and helper asks again."""
    ref = ref or images.probe_image(ctx.env)
    if ref in _present(ctx):
        return ref
    from ..pulls import PullFailed, pull_missing

    # Name the override that would have supplied this image, so the hint fits every caller.
    variables = [v for v in images.DEFAULTS if images.image(v, ctx.env) == ref] or ["DIND_DOCTOR_PROBE_IMAGE"]
    try:
        pull_missing(ctx.docker(), {v: ref for v in variables}, echo=None, timeout=PULL_SECONDS,
                     idle_timeout=max(ctx.timeout, 30.0))
    except PullFailed as exc:
        raise ImageUnavailable(str(exc)) from exc
    image_present(ctx, ref)
    return ref


def _present(ctx: "Context") -> set[str]:
    return ctx.memo("images present", set)  # refs seen on the daemon in this run


def image_present(ctx: "Context", ref: str) -> None:
    """`ref` is on the daemon (a container was just created from it): ensure_image need not ask."""
    _present(ctx).add(ref)


@contextlib.contextmanager
def labelled_container(ctx: "Context", image: str | None = None, command: list[str] | str | None = None, *,
                       component: str = "probe", what: str = "a probe container",
                       **create_kwargs: Any) -> Iterator[Any]:
    """A created (not started) container carrying this run's labels and a name registered before the
    create, removed on the way out whatever happens. A refusal to create it is a ProbeError naming `what`,
    in the daemon's words; after the run's cleanup started, RunClosed."""
    container = create_labelled(ctx, image, command, component=component, what=what, **create_kwargs)
    try:
        yield container
    finally:
        remove_labelled(ctx, container)


def create_labelled(ctx: "Context", image: str | None, command: list[str] | str | None, *, component: str,
                    what: str, **create_kwargs: Any) -> Any:
    """labelled_container's create: its name registered first, this run's labels on it."""
    client = ctx.docker()
    ref = ensure_image(ctx, image)
    resources = ctx.resources
    with resources.creating("container", resources.name(component)) as name:
        try:
            return client.containers.create(ref, command, name=name, labels=resources.labels(component),
                                            **create_kwargs)
        except Exception as exc:
            raise ProbeError(f"cannot create {what}: {daemon_reason(exc)}") from exc


def remove_labelled(ctx: "Context", container: Any) -> None:
    """Remove a container create_labelled made (running or not), and tell the registry."""
    try:
        container.remove(force=True, v=True)
        ctx.resources.forget("container", container.name)
    except Exception:
        pass  # already gone (daemon restarted); the run's cleanup looks for it by label and name


def run_probe(ctx: "Context", command: list[str] | str, *, image: str | None = None,
              component: str = "probe", wait: float | None = None, early: bool = False,
              **create_kwargs: Any) -> ProbeResult:
    """Run `command` in a labelled throw-away container and return its exit code and output.

    `create_kwargs` go to docker-py's `containers.create` (volumes, mounts, environment, privileged...).
    Raises ProbeError when the container cannot be created or started (the daemon's reason included).
    `early`: use the container engine/early_container.start_early started with the same arguments, if any.
    """
    if early and not isinstance(command, str):
        from .early_container import claim

        claimed = claim(ctx, image, command, component, create_kwargs)
        if claimed is not None:
            container, refused = claimed
            try:
                if refused is not None:
                    raise ProbeError(daemon_reason(refused))
                return _finish(ctx, container, wait)
            finally:
                remove_labelled(ctx, container)
    with labelled_container(ctx, image, command, component=component, detach=True, **create_kwargs) as container:
        try:
            container.start()
        except Exception as exc:
            raise ProbeError(daemon_reason(exc)) from exc
        return _finish(ctx, container, wait)


def _finish(ctx: "Context", container: Any, wait: float | None) -> ProbeResult:
    """A started probe's exit code and output."""
    try:
        status = container.wait(timeout=wait or max(ctx.timeout, 10.0))
        output = container.logs(stdout=True, stderr=True).decode("utf-8", errors="replace")
        code = int(status.get("StatusCode", -1))
    except Exception as exc:
        raise ProbeError(daemon_reason(exc)) from exc
    return ProbeResult(code, output)
