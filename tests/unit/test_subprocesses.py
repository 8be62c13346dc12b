"""The bounded runner: on a timeout the whole process group dies (a grandchild too), output is capped."""
from __future__ import annotations

import os
import shlex
import sys
import threading

import psutil
import pytest

from dind_doctor import subprocesses


def _with_marker(marker: str) -> list[int]:
    return [p.pid for p in psutil.process_iter(["cmdline"]) if marker in " ".join(p.info["cmdline"] or [])]


def test_timeout_kills_the_grandchild_too():
    marker = f"dind-doctor-test-{os.getpid()}-grandchild"
    grandchild = f"{shlex.quote(sys.executable)} -c 'import time; time.sleep(60)' {marker}"
    seen: list[int] = []
    stop = threading.Event()

    def watch() -> None:  # the grandchild did start: otherwise the test proves nothing
        while not stop.is_set() and not seen:
            seen.extend(_with_marker(marker))
            stop.wait(0.05)

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        with pytest.raises(subprocesses.ChildFailed) as failed:
            subprocesses.run(["sh", "-c", f"{grandchild} & exec sleep 61"], timeout=3)
    finally:
        stop.set()
        watcher.join()
    assert "did not finish within 3 s" in str(failed.value)
    assert seen and _with_marker(marker) == []


def test_output_is_capped_and_input_is_passed():
    done = subprocesses.run(["sh", "-c", "cat; head -c 5000 /dev/zero"], timeout=10, input=b"hello", max_output=100)
    assert done.returncode == 0 and done.stdout.startswith(b"hello") and len(done.stdout) == 100 and done.truncated


def test_a_missing_program_is_a_failure_not_a_traceback():
    with pytest.raises(subprocesses.ChildFailed):
        subprocesses.run(["/nonexistent/docker", "version"], timeout=5)


def test_first_error_line():
    done = subprocesses.run(["sh", "-c", "echo 'first problem' >&2; echo second >&2; exit 3"], timeout=10)
    assert (done.returncode, done.first_error_line()) == (3, "first problem")
