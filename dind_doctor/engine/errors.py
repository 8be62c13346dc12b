"""The engine's errors, and the ONE adapter from docker-py errors to the user's words.

The adapter matches on exception types and HTTP status codes (docker.errors.NotFound, APIError.status_code,
requests' ConnectionError and ReadTimeout, PermissionError), never on message text: a daemon in another
language, a proxy or a future docker-py that rewords its messages must not change what the user reads.
docker-py and requests are imported only when an error is being explained (they are loaded by then).
"""
from __future__ import annotations

from typing import Any, Mapping

from ..errors import DindDoctorError


class EngineUnavailable(DindDoctorError):
    """No usable daemon: the message says why, in words a user can act on."""


class ProbeError(DindDoctorError):
    """A probe or a daemon read could not run; the message says why in a user's words."""


class ImageUnavailable(ProbeError):
    """The image a probe needs is neither present nor pullable."""


class UnexpectedAnswer(ProbeError):
    """The daemon answered, but not with what its API documents (a proxy, a fork, a newer API)."""


class RunClosed(ProbeError):
    """The run is cleaning up (Ctrl-C, SIGTERM, the end): nothing new may be created."""


# Exceptions docker-py raises when a daemon answers JSON of another shape than it expects.
_SHAPE_ERRORS = (KeyError, TypeError, AttributeError, IndexError, ValueError)


def status_code(exc: BaseException) -> int | None:
    """The HTTP status of a docker-py or requests error, when the daemon answered at all."""
    code = getattr(exc, "status_code", None)  # docker.errors.APIError (a property over its response)
    if isinstance(code, int):
        return code
    response = getattr(exc, "response", None)
    code = getattr(response, "status_code", None)
    return code if isinstance(code, int) else None


def is_not_found(exc: BaseException) -> bool:
    try:
        from docker.errors import NotFound
    except ImportError:  # pragma: no cover - docker-py is a dependency
        NotFound = ()  # type: ignore[assignment,misc]
    return isinstance(exc, NotFound) or status_code(exc) == 404


def is_conflict(exc: BaseException) -> bool:
    """409: for a forced container removal, the daemon is already removing it (another cleanup sweeping
    the same dead run, or the container's own auto-remove)."""
    return status_code(exc) == 409


def _chain(exc: BaseException) -> list[BaseException]:
    """`exc` and every exception under it: docker-py and requests wrap the OS error in args, __cause__,
    __context__ and urllib3's `reason`."""
    seen: dict[int, BaseException] = {}
    todo: list[Any] = [exc]
    while todo:
        item = todo.pop(0)
        if not isinstance(item, BaseException) or id(item) in seen:
            continue
        seen[id(item)] = item
        todo += [item.__cause__, item.__context__, *item.args, getattr(item, "reason", None)]
    return list(seen.values())


def _transport(exc: BaseException) -> str | None:
    """Words for an error of the connection itself (no HTTP answer), by the types in its chain."""
    try:
        from requests.exceptions import ConnectionError as RequestsConnectionError
        from requests.exceptions import ReadTimeout
    except ImportError:  # pragma: no cover
        return None
    chain = _chain(exc)

    def has(*types: type) -> bool:
        return any(isinstance(e, types) for e in chain)

    if has(PermissionError):
        return "refused access: permission denied on its socket (add the user to the docker group, or use sudo)"
    if has(FileNotFoundError, ConnectionRefusedError):
        return "is not there: nothing answers (daemon not running, or socket not mounted)"
    if has(ReadTimeout, TimeoutError):
        return "did not answer in time (hanging or overloaded)"
    if has(RequestsConnectionError, ConnectionError):
        return "dropped the connection (stopped or restarted mid-call)"
    return None


def daemon_reason(exc: BaseException) -> str:
    """What went wrong with a daemon call, in the user's words: the daemon's own explanation for an HTTP
    error, a sentence for a transport error, and a named 'unexpected answer' for a malformed reply."""
    if isinstance(exc, DindDoctorError):
        return str(exc)
    code = status_code(exc)
    if code is not None:
        explanation = getattr(exc, "explanation", None)
        text = str(explanation or "").strip() or f"HTTP {code}"
        return text if is_not_found(exc) or code < 500 else f"the daemon failed ({code}): {text}"
    transport = _transport(exc)
    if transport:
        return "the daemon " + transport
    if isinstance(exc, _SHAPE_ERRORS):
        return f"the daemon's answer is not what its API documents ({type(exc).__name__}: {exc})"
    return f"{type(exc).__name__}: {exc}"


def engine_unreachable(exc: BaseException, url: str) -> str:
    """Why no client could be built for `url` (the first call, /_ping, failed)."""
    code = status_code(exc)
    if code is not None:
        return f"the daemon at {url} answered HTTP {code} to /_ping: {daemon_reason(exc)}"
    transport = _transport(exc)
    if transport:
        return f"the daemon at {url} {transport}"
    return f"cannot reach the daemon at {url}: {daemon_reason(exc)}"


# -- reading answers -------------------------------------------------------------------------------------
def as_dict(value: Any, what: str) -> Mapping[str, Any]:
    """`value` when it is a JSON object, else UnexpectedAnswer naming what was asked."""
    if not isinstance(value, Mapping):
        raise UnexpectedAnswer(f"the daemon's answer to {what} is not a JSON object ({type(value).__name__}): "
                               "a proxy or an incompatible engine answers on this endpoint")
    return value


def as_list(value: Any, what: str) -> list[Any]:
    if not isinstance(value, list):
        raise UnexpectedAnswer(f"the daemon's answer to {what} is not a JSON list ({type(value).__name__}): "
                               "a proxy or an incompatible engine answers on this endpoint")
    return value
