from dind_doctor.nesting import container_clues, daemon_path, id_from_cgroup, id_from_mountinfo, root_fs_type

CID = "a" * 56 + "0123abcd"

CGROUP_V1 = f"""12:memory:/docker/{CID}
11:cpu,cpuacct:/docker/{CID}
1:name=systemd:/docker/{CID}
"""
MOUNTINFO_V2 = f"""1412 1380 0:120 / / rw,relatime master:587 - overlay overlay rw,lowerdir=/var/lib/docker/overlay2/l/X
1440 1412 254:1 /var/lib/docker/containers/{CID}/resolv.conf /etc/resolv.conf rw,relatime - ext4 /dev/vda1 rw
1441 1412 254:1 /var/lib/docker/containers/{CID}/hostname /etc/hostname rw,relatime - ext4 /dev/vda1 rw
"""
MOUNTINFO_VM = "42 27 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw\n"


def test_cgroup_v1_docker_and_systemd():
    assert id_from_cgroup(CGROUP_V1) == CID
    assert id_from_cgroup(f"0::/system.slice/docker-{CID}.scope\n") == CID
    assert id_from_cgroup("0::/\n") is None


def test_mountinfo_v2():
    assert id_from_mountinfo(MOUNTINFO_V2) == CID
    assert root_fs_type(MOUNTINFO_V2) == "overlay"
    assert root_fs_type(MOUNTINFO_VM) == "ext4"


def fake_root(tmp_path, cgroup="0::/\n", mountinfo=MOUNTINFO_VM, dockerenv=False):
    (tmp_path / "proc/self").mkdir(parents=True)
    (tmp_path / "proc/self/cgroup").write_text(cgroup)
    (tmp_path / "proc/self/mountinfo").write_text(mountinfo)
    if dockerenv:
        (tmp_path / ".dockerenv").write_text("")
    return str(tmp_path)


def test_dockerenv_alone_on_a_block_device_root_is_not_a_container(tmp_path):
    clues = container_clues(fake_root(tmp_path, dockerenv=True))
    assert not clues.in_container
    assert "not a container" in clues.evidence["/.dockerenv"]


def test_cgroup_v2_container_found_through_mountinfo(tmp_path):
    clues = container_clues(fake_root(tmp_path, mountinfo=MOUNTINFO_V2, dockerenv=True))
    assert clues.in_container and clues.container_id == CID and clues.id_source == "/proc/self/mountinfo"


def test_cgroup_v1_container(tmp_path):
    clues = container_clues(fake_root(tmp_path, cgroup=CGROUP_V1, mountinfo=MOUNTINFO_V2))
    assert clues.container_id == CID and clues.id_source == "/proc/self/cgroup"


MOUNTS = [
    {"Type": "bind", "Source": "/home/me/proj", "Destination": "/home/hosted"},
    {"Type": "bind", "Source": "/srv/data", "Destination": "/home/hosted/data"},
    {"Type": "volume", "Name": "cache", "Source": "/var/lib/docker/volumes/cache/_data", "Destination": "/cache"},
    {"Type": "bind", "Source": "/var/run/docker.sock", "Destination": "/var/run/docker.sock"},
]


def test_daemon_path_longest_prefix():
    assert daemon_path("/home/hosted/app", MOUNTS)[0] == "/home/me/proj/app"
    assert daemon_path("/home/hosted/data/x.csv", MOUNTS)[0] == "/srv/data/x.csv"
    assert daemon_path("/home/hosted", MOUNTS)[0] == "/home/me/proj"


def test_daemon_path_none_outside_mounts_and_for_volumes():
    assert daemon_path("/home/hostedX/app", MOUNTS) == (None, None)
    path, mount = daemon_path("/cache/x", MOUNTS)
    assert path is None and mount["Type"] == "volume"
