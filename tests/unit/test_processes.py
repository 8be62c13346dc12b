"""Ancestors and running processes read from /proc answer what psutil answers."""
import sys

import psutil
import pytest

from dind_doctor import processes


def fake_proc(tmp_path, table):
    """table: pid -> (comm, ppid)."""
    for pid, (comm, ppid) in table.items():
        (tmp_path / str(pid)).mkdir()
        (tmp_path / str(pid) / "stat").write_bytes(f"{pid} ({comm}) S {ppid} {pid} 0 0 -1".encode())
        (tmp_path / str(pid) / "comm").write_bytes(f"{comm}\n".encode())
    (tmp_path / "self").mkdir()  # non-numeric entries are not processes
    return str(tmp_path)


def test_ancestors_from_proc_stat_even_with_spaces_and_parentheses_in_names(tmp_path):
    proc = fake_proc(tmp_path, {1: ("init", 0), 40: ("pwsh", 1), 41: ("odd) name (x", 40), 42: ("python3", 41)})
    assert processes.ancestor_names(proc=proc, pid=42) == ["odd) name (x", "pwsh", "init"]
    assert processes.ancestor_names(limit=1, proc=proc, pid=42) == ["odd) name (x"]
    assert processes.ancestor_names(proc=proc, pid=999) == []  # unreadable: no clue, no crash


def test_running_looks_at_every_process_name(tmp_path):
    proc = fake_proc(tmp_path, {1: ("init", 0), 7: ("dockerd", 1)})
    assert processes.running("dockerd", proc=proc) and not processes.running("containerd", proc=proc)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc is Linux's")
def test_same_answers_as_psutil_on_this_machine():
    expected, parent = [], psutil.Process().parent()
    while parent is not None and len(expected) < 8:
        expected.append(parent.name())
        parent = parent.parent()
    assert processes.ancestor_names() == expected
    me = psutil.Process().name()
    assert processes.running(me) and not processes.running("no-such-process-name")
