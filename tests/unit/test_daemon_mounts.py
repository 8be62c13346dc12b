"""daemon_mounts on a fake /proc: the dockerd holding the socket's listening inode, compared with this
process (mount namespace and root)."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from dind_doctor.daemon_mounts import shares_mounts

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="a Linux /proc is what is read")
UNIX = ("Num       RefCount Protocol Flags    Type St Inode Path\n"
        "0000: 00000002 00000000 00010000 0001 01 4242 /var/run/docker.sock\n"
        "0000: 00000003 00000000 00000000 0001 03 4343 /var/run/docker.sock\n")


def fake_proc(tmp: Path, *, daemon_ns: str = "mnt:[1]", comm: str = "dockerd", inode: str = "4242",
              other_root: bool = False) -> Path:
    proc = tmp / "proc"
    (proc / "net").mkdir(parents=True)
    (proc / "net" / "unix").write_text(UNIX)
    root, elsewhere = tmp / "root", tmp / "elsewhere"
    root.mkdir()
    elsewhere.mkdir()
    for name, ns, rootdir in (("self", "mnt:[1]", root), ("77", daemon_ns, elsewhere if other_root else root)):
        (proc / name / "ns").mkdir(parents=True)
        os.symlink(ns, proc / name / "ns" / "mnt")
        os.symlink(rootdir, proc / name / "root")
    (proc / "77" / "comm").write_text(comm + "\n")
    (proc / "77" / "fd").mkdir()
    os.symlink("pipe:[1]", proc / "77" / "fd" / "3")
    os.symlink(f"socket:[{inode}]", proc / "77" / "fd" / "4")
    return proc


def test_a_dockerd_in_this_mount_namespace_settles_it(tmp_path):
    said = shares_mounts("/var/run/docker.sock", str(fake_proc(tmp_path)))
    assert said and "pid 77" in said


@pytest.mark.parametrize("kwargs", [{"daemon_ns": "mnt:[2]"}, {"comm": "podman"}, {"inode": "4343"},
                                    {"other_root": True}])
def test_anything_else_leaves_it_to_the_probe(tmp_path, kwargs):
    assert shares_mounts("/var/run/docker.sock", str(fake_proc(tmp_path, **kwargs))) is None


def test_no_socket_no_proc(tmp_path):
    assert shares_mounts(None) is None
    assert shares_mounts("/var/run/other.sock", str(fake_proc(tmp_path))) is None
    assert shares_mounts("/var/run/docker.sock", str(tmp_path / "no-proc")) is None
