"""The bounded runner: on a timeout the whole process group dies (a grandchild too), output is capped."""
from __future__ import annotations

import shlex
import sys

import psutil
import pytest

from dind_doctor import subprocesses


def test_timeout_kills_the_grandchild_too(tmp_path):
    """The grandchild writes its pid, then sleeps; the shell (the direct child) outlives the timeout."""
    pid_file = tmp_path / "grandchild.pid"
    grandchild = (f"{shlex.quote(sys.executable)} -c 'import os, sys, time; "
                  f"open(sys.argv[1], \"w\").write(str(os.getpid())); time.sleep(60)' {shlex.quote(str(pid_file))}")
    with pytest.raises(subprocesses.ChildFailed) as failed:
        # The shell waits for the pid file, so a slow start under load still leaves the grandchild running.
        subprocesses.run(["sh", "-c", f"{grandchild} & while [ ! -s {shlex.quote(str(pid_file))} ]; do sleep 0.1; "
                                      "done; exec sleep 61"], timeout=10)
    assert "did not finish within 10 s" in str(failed.value)
    pid = int(pid_file.read_text())  # it did start: otherwise the test would prove nothing
    assert not _alive(pid, str(pid_file))


def _alive(pid: int, marker: str) -> bool:
    """The process `pid` runs and is still ours (its command line names `marker`: a pid can be reused)."""
    try:
        proc = psutil.Process(pid)
        return proc.status() != psutil.STATUS_ZOMBIE and marker in " ".join(proc.cmdline())
    except psutil.Error:
        return False


def test_output_is_capped_and_input_is_passed():
    done = subprocesses.run(["sh", "-c", "cat; head -c 5000 /dev/zero"], timeout=10, input=b"hello", max_output=100)
    assert done.returncode == 0 and done.stdout.startswith(b"hello") and len(done.stdout) == 100 and done.truncated


def test_a_missing_program_is_a_failure_not_a_traceback():
    with pytest.raises(subprocesses.ChildFailed):
        subprocesses.run(["/nonexistent/docker", "version"], timeout=5)


def test_first_error_line():
    done = subprocesses.run(["sh", "-c", "echo 'first problem' >&2; echo second >&2; exit 3"], timeout=10)
    assert (done.returncode, done.first_error_line()) == (3, "first problem")


def test_no_process_groups_is_no_crash(monkeypatch, tmp_path):
    """Windows has neither os.killpg nor SIGKILL: a child that finished, and one that timed out, are
    still a result or a ChildFailed (every `check` in a git checkout runs git: an AttributeError there
    was every project check's crash)."""
    import os

    monkeypatch.delattr(os, "killpg")  # (SIGKILL stays: Popen.kill needs it on this POSIX test machine)
    done = subprocesses.run([sys.executable, "-c", "print('ok')"], timeout=30)
    assert done.returncode == 0 and done.stdout.strip() == b"ok"
    with pytest.raises(subprocesses.ChildFailed, match="did not finish"):
        subprocesses.run([sys.executable, "-c", "import time; time.sleep(30)"], timeout=0.5)


def _count_waitpid(monkeypatch) -> list[int]:
    import os
    calls: list[int] = []
    real = os.waitpid

    def counted(pid: int, options: int) -> tuple[int, int]:
        calls.append(options)
        return real(pid, options)

    monkeypatch.setattr(os, "waitpid", counted)
    return calls


@pytest.mark.skipif(not hasattr(__import__("os"), "pidfd_open"), reason="no pidfd on this platform")
def test_the_wait_wakes_at_the_exit_instead_of_polling(monkeypatch):
    """Popen.wait(timeout) polls with growing sleeps (a 0.3 s child is polled about 10 times); the pidfd
    wait asks once, after the exit."""
    import subprocess
    calls = _count_waitpid(monkeypatch)
    proc = subprocesses.spawn(["sleep", "0.3"])
    assert subprocesses.wait(proc, timeout=30) == 0
    assert len(calls) == 1
    proc = subprocesses.spawn(["sleep", "5"])
    with pytest.raises(subprocess.TimeoutExpired):
        subprocesses.wait(proc, timeout=0.1)
    subprocesses.kill_group(proc)


def test_the_wait_falls_back_to_polling_without_a_pidfd(monkeypatch):
    import os
    import subprocess

    def refused(pid: int) -> int:
        raise PermissionError("seccomp")

    monkeypatch.setattr(os, "pidfd_open", refused, raising=False)
    calls = _count_waitpid(monkeypatch)
    done = subprocesses.run(["sh", "-c", "sleep 0.3; echo done"], timeout=30)
    assert done.returncode == 0 and done.stdout == b"done\n" and len(calls) > 1
    proc = subprocesses.spawn(["sleep", "5"])
    with pytest.raises(subprocess.TimeoutExpired):
        subprocesses.wait(proc, timeout=0.1)
    subprocesses.kill_group(proc)
