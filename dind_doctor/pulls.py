"""Pulling the images a run needs before it needs them: progress at most a line a second per image, a
timeout for the whole pull and for silence, Ctrl-C that stops the daemon's pull, and a failure that names
the image, the daemon's reason and the DIND_DOCTOR_*_IMAGE variable that points at a local image instead.

docker-py is imported by the caller's client only: importing this module stays cheap.
"""
from __future__ import annotations

import json
import time
from .records import dataclass, field
from typing import Any, Callable, Iterable, Iterator, Mapping, Sequence

from .errors import DindDoctorError

PROGRESS_INTERVAL = 1.0  # seconds between two progress lines of one image
DONE = ("Pull complete", "Already exists")


def _size(n: int) -> str:
    return f"{n / 1e6:.1f} MB" if n >= 1e6 else f"{n / 1e3:.0f} kB" if n >= 1e3 else f"{n} B"


class PullFailed(DindDoctorError):
    """A pull failed; the message names the image, why (the daemon's words) and the override."""


def failure_message(ref: str, reason: str, variables: Sequence[str]) -> str:
    override = " or ".join(variables) or "the matching DIND_DOCTOR_*_IMAGE variable"
    return (f"cannot pull {ref}: {reason.strip() or 'no reason given'}. Pull it by hand (`docker pull {ref}`), "
            f"or set {override} to an image this engine already has (`docker images`)")


@dataclass
class _Layer:
    status: str = ""
    current: int = 0
    total: int = 0


@dataclass
class PullProgress:
    """Folds the daemon's pull events (one JSON object each) into one line per image, at most one per
    `interval` seconds: a pull sends dozens of events a second, and a terminal or CI log wants a pace."""

    ref: str
    echo: Callable[[str], None] | None
    clock: Callable[[], float] = time.monotonic
    interval: float = PROGRESS_INTERVAL
    layers: dict[str, _Layer] = field(default_factory=dict)
    outcome: str = ""  # the daemon's last "Status: ..." line
    lines: int = 0  # progress lines emitted (the tests count them)
    _last: float | None = None

    def feed(self, event: Mapping[str, Any]) -> None:
        """One event; raises PullFailed (without the override hint: `pull` adds it) on an error event."""
        if event.get("error") or event.get("errorDetail"):
            detail = event.get("errorDetail")
            detail = detail if isinstance(detail, Mapping) else {}
            raise PullFailed(str(detail.get("message") or event.get("error") or "the daemon reported an error"))
        status = str(event.get("status") or "")
        layer_id = event.get("id")
        if status.startswith("Status:"):
            self.outcome = status[len("Status:"):].strip()
        elif layer_id and status and not status.startswith(("Pulling from", "Digest:")):
            self._update(str(layer_id), status, event.get("progressDetail") or {})
        self._maybe_emit()

    def _update(self, layer_id: str, status: str, detail: Mapping[str, Any]) -> None:
        layer = self.layers.setdefault(layer_id, _Layer())
        layer.status = status
        if status == "Downloading" and isinstance(detail, Mapping):
            layer.current = int(detail.get("current") or 0)
            layer.total = int(detail.get("total") or layer.total or 0)
        if status in ("Download complete", "Extracting", "Pull complete"):
            layer.current = layer.total

    def summary(self) -> str:
        done = sum(1 for layer in self.layers.values() if layer.status in DONE)
        total = sum(layer.total for layer in self.layers.values())
        current = sum(min(layer.current, layer.total) for layer in self.layers.values())
        text = f"pulling {self.ref}: {done}/{len(self.layers)} layer(s) done"
        return text + (f", {_size(current)} of {_size(total)}" if total else "")

    def _maybe_emit(self) -> None:
        if self.echo is None or not self.layers:
            return
        now = self.clock()
        if self._last is not None and now - self._last < self.interval:
            return
        self._last = now
        self.lines += 1
        self.echo(self.summary())

    def result(self, seconds: float) -> str:
        present = sum(1 for layer in self.layers.values() if layer.status == "Already exists")
        fetched = len(self.layers) - present
        size = sum(layer.total for layer in self.layers.values())
        return (f"pulled {self.ref} in {seconds:.1f} s: {fetched} layer(s) fetched"
                + (f" ({_size(size)})" if size else "") + f", {present} already present"
                + (f"; {self.outcome}" if self.outcome else ""))


def follow(events: Iterable[Mapping[str, Any]], progress: PullProgress, deadline: float,
           timeout: float) -> None:
    """Feeds every event to `progress`; PullFailed past `deadline` (on `progress.clock`)."""
    for event in events:
        progress.feed(event)
        if progress.clock() > deadline:
            raise PullFailed(f"the pull took more than {timeout:.0f} s: stopped")


def _events(response: Any) -> Iterator[Mapping[str, Any]]:
    for line in response.iter_lines():
        line = line.strip()
        if line:
            try:
                event = json.loads(line)
            except ValueError:
                continue  # a stray non-JSON line: not progress, not an error
            if isinstance(event, dict):
                yield event


def pull(client: Any, ref: str, *, variables: Sequence[str], echo: Callable[[str], None] | None,
         timeout: float, idle_timeout: float, clock: Callable[[], float] = time.monotonic) -> str:
    """Pulls `ref` through the daemon (its registry mirrors and credentials apply) and returns a one-line
    result. PullFailed (image, reason, override) on any failure. KeyboardInterrupt closes the stream, which
    makes the daemon abandon the pull."""
    from docker import auth
    from docker.utils import parse_repository_tag

    repository, tag = parse_repository_tag(ref)
    api = client.api
    progress = PullProgress(ref, echo, clock)
    started = clock()
    response = None
    try:
        registry, _ = auth.resolve_repository_name(repository)
        header = auth.get_config_header(api, registry)
        # The low-level call, not api.pull(): api.pull streams with no read timeout at all (a silent daemon
        # would hang the run) and hides the response that must be closed to cancel the pull.
        response = api._post(api._url("/images/create"), params={"fromImage": repository, "tag": tag or "latest"},
                             headers={"X-Registry-Auth": header} if header else {}, stream=True,
                             timeout=(min(idle_timeout, 30.0), idle_timeout))
        api._raise_for_status(response)
        follow(_events(response), progress, started + timeout, timeout)
    except PullFailed as exc:
        raise PullFailed(failure_message(ref, str(exc), variables)) from None
    except Exception as exc:  # docker-py's APIError, requests' timeouts and dropped connections
        reason = str(getattr(exc, "explanation", None) or exc)
        if "timed out" in reason.lower() or "timeout" in type(exc).__name__.lower():
            reason = f"the daemon sent nothing for {idle_timeout:.0f} s ({reason})"
        raise PullFailed(failure_message(ref, reason, variables)) from None
    finally:
        if response is not None:
            response.close()
    return progress.result(clock() - started)


def _present(client: Any, ref: str, variables: Sequence[str]) -> bool:
    from docker.errors import ImageNotFound

    try:
        client.images.get(ref)
        return True
    except ImageNotFound:
        return False
    except Exception as exc:
        reason = str(getattr(exc, "explanation", None) or exc)
        raise PullFailed(failure_message(ref, f"the engine could not say whether it has it ({reason})",
                                         variables)) from None


def pull_missing(client: Any, wanted: Mapping[str, str], *, echo: Callable[[str], None] | None,
                 timeout: float, idle_timeout: float) -> list[str]:
    """Pulls each image of `wanted` (variable -> ref) that the engine lacks, one after the other; returns
    the result lines (also echoed). Nothing is pulled when everything is present."""
    by_ref: dict[str, list[str]] = {}
    for variable, ref in wanted.items():
        by_ref.setdefault(ref, []).append(variable)
    results = []
    for ref, variables in by_ref.items():
        if _present(client, ref, variables):
            continue
        result = pull(client, ref, variables=variables, echo=echo, timeout=timeout, idle_timeout=idle_timeout)
        if echo is not None:
            echo(result)
        results.append(result)
    return results
