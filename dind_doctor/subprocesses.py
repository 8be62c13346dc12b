"""The ONE way dind-doctor runs a `docker`, `docker compose` or `git` child: bounded in time and output.

Each child starts in its own session (its own process group). `docker compose` is a CLI plugin: the
`docker` CLI starts `docker-compose` as ITS child, so killing the CLI alone on a timeout leaves the plugin
running (a YAML alias bomb grew it to 13.8 GB after dind-doctor exited). On a timeout, an interrupt or any
error the whole group is killed. Output goes to temporary files, not pipes, so a chatty child can neither
fill a pipe and hang nor fill our memory: only the first `max_output` bytes are read back.
"""
from __future__ import annotations

import contextlib
import os
import select
import signal
import subprocess
import tempfile
from .records import dataclass
from typing import IO, Callable, Mapping, Sequence

from .errors import DindDoctorError

MAX_OUTPUT = 4 * 1024 * 1024


class ChildFailed(DindDoctorError):
    """The child could not start or did not finish in time; the message says which and why."""


@dataclass(frozen=True)
class Completed:
    argv: tuple[str, ...]
    returncode: int
    stdout: bytes
    stderr: bytes
    truncated: bool = False  # the child printed more than max_output bytes on one stream

    def first_error_line(self, limit: int = 200) -> str:
        """The first line of stderr (compose names files and keys there, not values), for a message."""
        lines = self.stderr.decode("utf-8", "replace").strip().splitlines()
        return (lines or ["no message"])[0][:limit]


def _kill_group_of(pid: int) -> None:
    """SIGKILL the process group `pid` leads; OSError where there are no process groups (Windows has
    neither os.killpg nor SIGKILL: reaching for them there was an AttributeError after every child)."""
    killpg, sigkill = getattr(os, "killpg", None), getattr(signal, "SIGKILL", None)
    if killpg is None or sigkill is None:
        raise OSError("no process groups here")
    killpg(pid, sigkill)


def kill_group(proc: "subprocess.Popen[bytes]") -> None:
    """SIGKILL the child's whole process group (the compose plugin with the CLI), then reap the child."""
    try:
        _kill_group_of(proc.pid)
    except (ProcessLookupError, PermissionError):
        pass
    except OSError:  # pragma: no cover - no process groups (Windows): the child alone
        proc.kill()
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:  # pragma: no cover - a zombie the kernel has not released yet
        pass


def _read(handle: IO[bytes], limit: int) -> tuple[bytes, bool]:
    handle.seek(0)
    data = handle.read(limit + 1)
    return data[:limit], len(data) > limit


def spawn(argv: Sequence[str], *, env: Mapping[str, str] | None = None, cwd: str | os.PathLike[str] | None = None,
          stdin: int | IO[bytes] | None = subprocess.DEVNULL, stdout: int | IO[bytes] | None = None,
          stderr: int | IO[bytes] | None = None) -> "subprocess.Popen[bytes]":
    """A child in its own process group; the caller kills it with kill_group(). Raises ChildFailed."""
    try:
        return subprocess.Popen(list(argv), env=dict(env) if env is not None else None, cwd=cwd, stdin=stdin,
                                stdout=stdout, stderr=stderr, start_new_session=True)
    except OSError as exc:
        raise ChildFailed(f"`{' '.join(argv[:3])}` did not start: {exc.strerror or exc}") from None


def wait(proc: "subprocess.Popen[bytes]", timeout: float) -> int:
    """proc.wait(timeout), returning as soon as the child exits. Popen.wait with a timeout polls, sleeping
    0.5 ms, 1, 2, 4 ms and so on up to 50 ms between polls: a child that takes 5 ms is seen at 7.5 ms, one
    of 110 ms at about 150 ms. Where the kernel gives a pidfd (Linux 5.3+) the wait is a select on it,
    which wakes at the exit; elsewhere, or if the pidfd cannot be had, Popen's own polling."""
    pidfd_open = getattr(os, "pidfd_open", None)
    if pidfd_open is not None and proc.returncode is None:
        try:
            pidfd = pidfd_open(proc.pid)
        except OSError:  # an older kernel, a sandbox that forbids it: poll
            pass
        else:
            try:  # poll, not select: select refuses a descriptor numbered 1024 or more
                poller = select.poll()
                poller.register(pidfd, select.POLLIN)
                ready = poller.poll(max(0.0, timeout) * 1000)
            finally:
                os.close(pidfd)
            if not ready:
                raise subprocess.TimeoutExpired(proc.args, timeout)
    return proc.wait(timeout=timeout)  # exited: reaped at its first poll


class Running:
    """A child start() launched, its output going to temporary files; result() waits for it and reads
    them back, close() kills it if it still runs. One of the two must be called, once: they free the
    files (close() after result() does nothing more)."""

    def __init__(self, argv: Sequence[str], proc: "subprocess.Popen[bytes]", out: IO[bytes], err: IO[bytes],
                 max_output: int) -> None:
        self.argv, self.proc, self._out, self._err, self._max_output = tuple(argv), proc, out, err, max_output

    def result(self, timeout: float) -> Completed:
        """Its exit within `timeout` seconds from now; raises ChildFailed if it does not finish in time (the
        whole process group is killed then, and on Ctrl-C or SIGTERM)."""
        proc = self.proc
        try:
            wait(proc, timeout)
        except subprocess.TimeoutExpired:
            self.close()
            raise ChildFailed(f"`{' '.join(self.argv[:3])}` did not finish within {timeout:g} s: stopped") from None
        except BaseException:  # KeyboardInterrupt, SystemExit from a SIGTERM handler: nothing left behind
            self.close()
            raise
        try:
            # The CLI has exited; a plugin it started may not have (killed with it: same group).
            _kill_group_of(proc.pid)
        except OSError:
            pass
        try:
            stdout, cut_out = _read(self._out, self._max_output)
            stderr, cut_err = _read(self._err, self._max_output)
        finally:
            self._close_files()
        return Completed(self.argv, proc.returncode, stdout, stderr, cut_out or cut_err)

    def close(self) -> None:
        if self.proc.returncode is None:
            kill_group(self.proc)
        self._close_files()

    def _close_files(self) -> None:
        self._out.close()  # closing a closed file does nothing
        self._err.close()


def start(argv: Sequence[str], *, env: Mapping[str, str] | None = None, cwd: str | os.PathLike[str] | None = None,
          input: bytes | None = None, stdin: int | IO[bytes] | None = None, max_output: int = MAX_OUTPUT,
          track: "Callable[[subprocess.Popen[bytes]], None] | None" = None) -> Running:
    """Start `argv` in its own process group, its output bounded; raises ChildFailed when it does not start.
    `input`: bytes for its stdin; `stdin`: a stream instead (the read end of another child's pipe).
    `track`: handed the child as soon as it runs (a run's registry, whose cleanup kills it when Ctrl-C
    lands in ANOTHER thread than the one waiting for it); if it raises, the child is killed."""
    out, err = tempfile.TemporaryFile(), tempfile.TemporaryFile()
    try:
        with tempfile.TemporaryFile() if input is not None else contextlib.nullcontext(None) as given:
            if given is not None and input is not None:
                given.write(input)
                given.seek(0)
            source = given if given is not None else subprocess.DEVNULL if stdin is None else stdin
            proc = spawn(argv, env=env, cwd=cwd, stdin=source, stdout=out, stderr=err)
    except BaseException:
        out.close()
        err.close()
        raise
    running = Running(argv, proc, out, err, max_output)
    if track is not None:
        try:
            track(proc)
        except BaseException:
            running.close()
            raise
    return running


def run(argv: Sequence[str], *, timeout: float, env: Mapping[str, str] | None = None,
        cwd: str | os.PathLike[str] | None = None, input: bytes | None = None,
        stdin: int | IO[bytes] | None = None, max_output: int = MAX_OUTPUT,
        track: "Callable[[subprocess.Popen[bytes]], None] | None" = None) -> Completed:
    """Run `argv` to completion within `timeout` seconds (start(), then Running.result()); raises
    ChildFailed when it does not start or does not finish in time."""
    return start(argv, env=env, cwd=cwd, input=input, stdin=stdin, max_output=max_output,
                 track=track).result(timeout)
