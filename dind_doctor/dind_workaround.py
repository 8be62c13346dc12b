"""True Docker-in-Docker without --privileged, for engines that refuse it ("unable to apply caps").

Every capability but the one the engine may not grant, no seccomp/AppArmor filter, unmasked /proc and /sys,
all devices, the host's cgroups, and a volume for /var/lib/docker (overlayfs cannot stack on the
container's own overlay root). One definition, as CLI flags for fixes and as docker-py keyword arguments.
"""

CLI_FLAGS = ("--cap-add=ALL --cap-drop=SYS_RESOURCE --security-opt seccomp=unconfined "
             "--security-opt apparmor=unconfined --security-opt systempaths=unconfined "
             "--device-cgroup-rule='a *:* rwm' -v /sys/fs/cgroup:/sys/fs/cgroup:rw")

# `--security-opt systempaths=unconfined` is client-side sugar: the API takes empty MaskedPaths and
# ReadonlyPaths instead, which docker-py's high-level API cannot set (run-reference sets them itself).
API_KWARGS = dict(cap_add=["ALL"], cap_drop=["SYS_RESOURCE"], device_cgroup_rules=["a *:* rwm"],
                  security_opt=["seccomp=unconfined", "apparmor=unconfined"])
CGROUP_BIND = {"/sys/fs/cgroup": {"bind": "/sys/fs/cgroup", "mode": "rw"}}


def cli_flags(storage_volume: str) -> str:
    return f"{CLI_FLAGS} -v {storage_volume}:/var/lib/docker"
