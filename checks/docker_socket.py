"""docker-socket: which endpoint is in use and why, whether this user may use it, whether it answers."""
from __future__ import annotations

import os
import stat
from typing import Any, Callable

from dind_doctor.check import Check
from dind_doctor.context import Context
from dind_doctor.model import Finding, Status, fixes, same_fix

try:  # POSIX only; on Windows the endpoint is a named pipe and no socket owner is shown
    import grp
    import pwd
except ImportError:  # pragma: no cover - Windows
    grp = pwd = None  # type: ignore[assignment]

START_DAEMON = fixes(
    powershell='Start-Process "$Env:ProgramFiles\\Docker\\Docker\\Docker Desktop.exe"  # then wait for "Engine running"',
    cmd='start "" "%ProgramFiles%\\Docker\\Docker\\Docker Desktop.exe"',
    gitbash='"/c/Program Files/Docker/Docker/Docker Desktop.exe" &',
    bash="sudo systemctl start docker   # or: sudo service docker start; no systemd: sudo dockerd &",
)


MOUNT_SOCKET = fixes(
    powershell="docker run -v //var/run/docker.sock:/var/run/docker.sock ...   # on the host, when starting this container",
    cmd="docker run -v //var/run/docker.sock:/var/run/docker.sock ...",
    gitbash="MSYS_NO_PATHCONV=1 docker run -v /var/run/docker.sock:/var/run/docker.sock ...",
    bash="docker run -v /var/run/docker.sock:/var/run/docker.sock ...   # on the host, when starting this container",
)


def _lookup(get: Callable[[], str], number: int) -> str:
    """A user or group name, or the number itself when unknown (or on Windows, where pwd/grp are None)."""
    try:
        return get()
    except (AttributeError, KeyError):
        return str(number)


def _group_name(gid: int) -> str:
    return _lookup(lambda: grp.getgrgid(gid).gr_name, gid)


def _user_name(uid: int) -> str:
    return _lookup(lambda: pwd.getpwuid(uid).pw_name, uid)


class DockerSocket(Check):
    """Looks at the Docker endpoint this tool (and the docker CLI) would use.

    - Which endpoint, and why: a non-empty DOCKER_HOST wins, then DOCKER_CONTEXT, then `currentContext` in
      ~/.docker/config.json, then the platform default (unix:///var/run/docker.sock, or on Windows
      npipe:////./pipe/docker_engine).
    - For a unix socket: it exists, it is a socket (a bind mount of a missing path makes a directory),
      and this user may read and write it: owner, group, mode and docker group membership are shown.
    - The daemon answers a ping within the timeout; its server and API versions.

    Inside a container, a missing socket means the host socket was not mounted: start the outer
    container with `-v /var/run/docker.sock:/var/run/docker.sock` (PowerShell and cmd: `//var/run/...`;
    Git Bash rewrites `/var/...` into a Windows path unless MSYS_NO_PATHCONV=1). `--privileged` is not
    needed for a socket mount.
    """

    id = "docker-socket"
    title = "Docker endpoint: resolved, permitted, answering"
    time_limit = 20.0

    def run(self, ctx: Context) -> list[Finding]:
        ep = ctx.endpoint
        if ep is None:
            return [self.finding(Status.FAIL, f"the Docker endpoint cannot be resolved: {ctx.endpoint_error}",
                                 fixes=fixes(powershell="docker context use default", cmd="docker context use default",
                                             bash="docker context use default   # or: unset DOCKER_CONTEXT"))]
        evidence: dict[str, Any] = {"endpoint": ep.display, "chosen by": ep.source}
        if ep.context:
            evidence["context"] = ep.context
        findings: list[Finding] = []
        if ep.socket_path:
            problem = self._socket_problem(ctx, ep.socket_path, evidence)
            if problem is not None:
                return [problem]
        elif ep.pipe_path and ctx.platform == "win32" and not os.path.exists(ep.pipe_path):
            return [self.finding(Status.FAIL, f"the named pipe {ep.pipe_path} does not exist: Docker Desktop is not running",
                                 evidence=evidence, fixes=START_DAEMON)]
        try:
            ctx.docker()  # raises with the reason when the daemon is unusable
        except Exception as exc:
            return [self.finding(Status.FAIL, f"the daemon does not answer: {exc}", evidence=evidence,
                                 detail=f"{ep.display} was chosen by {ep.source}.", fixes=self._down_fixes(ctx))]
        try:
            version = ctx.server_version()
        except Exception as exc:
            return [self.finding(Status.ERROR, f"the daemon answered ping but not /version: {exc}", evidence=evidence)]
        evidence["server version"] = version.get("Version")
        evidence["API version"] = version.get("ApiVersion")
        platform = (version.get("Platform") or {}).get("Name")
        if platform:
            evidence["platform"] = platform
        findings.append(self.finding(
            Status.OK, f"{ep.display} ({ep.source}) answers: Docker {version.get('Version')}, API {version.get('ApiVersion')}",
            evidence=evidence))
        return findings

    def _down_fixes(self, ctx: Context) -> tuple:
        if ctx.nesting().in_container:
            return MOUNT_SOCKET
        return START_DAEMON

    def _socket_problem(self, ctx: Context, path: str, evidence: dict) -> Finding | None:
        try:
            st = os.stat(path)
        except FileNotFoundError:
            in_container = ctx.nesting().in_container
            where = "this container has no such socket: the host socket was not mounted" if in_container \
                else "no daemon has created it: Docker is not running here"
            return self.finding(Status.FAIL, f"{path} does not exist: {where}", evidence=evidence,
                                fixes=MOUNT_SOCKET if in_container else START_DAEMON)
        except PermissionError:
            return self.finding(Status.FAIL, f"{path} cannot even be looked at (permission denied on its folder)",
                                evidence=evidence, fixes=self._group_fixes(ctx, path, None))
        evidence.update({"socket owner": _user_name(st.st_uid), "socket group": _group_name(st.st_gid),
                         "socket mode": stat.filemode(st.st_mode)})
        if stat.S_ISDIR(st.st_mode):
            return self.finding(
                Status.FAIL, f"{path} is a directory, not a socket",
                detail="A bind mount whose source did not exist on the daemon's host was created as an empty "
                       "directory. Mount the real socket of the daemon's host.",
                evidence=evidence, fixes=MOUNT_SOCKET)
        if not stat.S_ISSOCK(st.st_mode):
            return self.finding(Status.FAIL, f"{path} exists but is not a socket ({stat.filemode(st.st_mode)})",
                                evidence=evidence, fixes=MOUNT_SOCKET)
        uid = os.geteuid()
        groups = set(os.getgroups()) | {os.getegid()}
        evidence["this user"] = f"{_user_name(uid)} (uid {uid}), groups {', '.join(sorted(_group_name(g) for g in groups))}"
        if not os.access(path, os.R_OK | os.W_OK):
            return self.finding(
                Status.FAIL, f"permission denied: {_user_name(uid)} may not read and write {path}",
                detail=f"The socket is {stat.filemode(st.st_mode)} {_user_name(st.st_uid)}:{_group_name(st.st_gid)}; "
                       f"this user is not its owner and not in group {_group_name(st.st_gid)}.",
                evidence=evidence, fixes=self._group_fixes(ctx, path, st.st_gid))
        return None

    def _group_fixes(self, ctx: Context, path: str, gid: int | None) -> tuple:
        if ctx.nesting().in_container:
            return fixes(bash=f"docker run --group-add $(stat -c %g {path}) -v {path}:{path} ...   # on the host",
                         powershell=f"docker run --group-add {gid if gid is not None else '<gid of the socket>'} "
                                    f"-v //var/run/docker.sock:/var/run/docker.sock ...",
                         cmd=f"docker run --group-add {gid if gid is not None else '<gid>'} "
                             f"-v //var/run/docker.sock:/var/run/docker.sock ...")
        group = _group_name(gid) if gid is not None else "docker"
        return fixes(bash=f'sudo usermod -aG {group} "$USER" && newgrp {group}   # then open a new shell') + \
            same_fix("Or use rootless Docker, or run the command with sudo.")

