"""Path translation per nesting level, and the shell-specific fixes of bind-mount-translation."""
from __future__ import annotations

import pytest

from dind_doctor.checks.bind_mount_translation import host_dir_fixes
from dind_doctor.levels.translate import to_dict, translate
from dind_doctor.model import Level
from dind_doctor.nesting import NestingReport

MOUNTS = (
    {"Type": "bind", "Source": "/var/run/docker.sock", "Destination": "/var/run/docker.sock"},
    {"Type": "bind", "Source": "/c/Users/me/proj/hosted", "Destination": "/home/hosted"},
    {"Type": "bind", "Source": "/srv/data", "Destination": "/home/hosted/data"},
    {"Type": "volume", "Name": "code", "Source": "/var/lib/docker/volumes/code/_data", "Destination": "/code"},
    {"Type": "bind", "Source": "/same", "Destination": "/same"},
)


def report(level: Level, mounts=MOUNTS, **evidence) -> NestingReport:
    dockerd_here = evidence.get("dockerd in this container") == "yes"
    return NestingReport(level, level is not Level.HOST, "a" * 64, level is Level.DOOD, False,
                         mounts=mounts, evidence=evidence, dockerd_here=dockerd_here)


@pytest.mark.parametrize("path, expected", [
    ("/home/hosted/app", "/c/Users/me/proj/hosted/app"),
    ("/home/hosted", "/c/Users/me/proj/hosted"),
    ("/home/hosted/data/x", "/srv/data/x"),  # the longest destination wins
    ("/home/hosted/../hosted/app", "/c/Users/me/proj/hosted/app"),
    ("/same/sub", "/same/sub"),
])
def test_dood_translates_through_the_longest_mount(path, expected):
    assert translate(path, report(Level.DOOD)).daemon_path == expected


def test_dood_same_path_mount_is_the_same():
    assert translate("/same/x", report(Level.DOOD)).same
    assert not translate("/home/hosted/app", report(Level.DOOD)).same


def test_dood_path_in_a_named_volume_has_no_daemon_path():
    t = translate("/code/app", report(Level.DOOD))
    assert t.daemon_path is None and "code" in t.reason and "instead of a bind" in t.reason


def test_dood_path_in_the_own_filesystem_has_none():
    t = translate("/opt/app", report(Level.DOOD))
    assert t.daemon_path is None and "own filesystem" in t.reason
    assert to_dict(t)["mount"] is None


def test_host_and_dind_with_own_dockerd_keep_the_path():
    assert translate("/x", report(Level.HOST)).same
    assert translate("/x", report(Level.DIND, **{"dockerd in this container": "yes"})).same


@pytest.mark.parametrize("level", [Level.REMOTE, Level.CONTAINER])
def test_remote_and_unknown_have_none(level):
    assert translate("/x", report(level)).daemon_path is None


def test_dind_sidecar_has_none():
    t = translate("/x", report(Level.DIND, **{"dockerd in this container": "no"}))
    assert t.daemon_path is None and "sidecar" in t.reason


def test_fixes_are_written_per_shell():
    by_shell = {f.shell: f.text for f in host_dir_fixes(None, "app", "/home/app")}
    assert '-e HOST_PROJECT_DIR="${PWD}/hosted"' in by_shell["powershell"]
    assert '-e HOST_PROJECT_DIR="%cd%\\hosted"' in by_shell["cmd"]
    assert '-e HOST_PROJECT_DIR="$PWD/hosted"' in by_shell["bash"]
    assert by_shell["gitbash"] == by_shell["bash"]
    assert all("${HOST_PROJECT_DIR}/app:/home/app" in t and "named volume" in t for t in by_shell.values())
    known = {f.shell: f.text for f in host_dir_fixes("/c/Users/me/proj/hosted", ".", "/home/app")}
    assert '-e HOST_PROJECT_DIR="/c/Users/me/proj/hosted"' in known["cmd"]
    assert "${HOST_PROJECT_DIR}:/home/app" in known["bash"]
