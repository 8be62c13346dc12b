"""The ONE reader of the `docker run` / `create` / `build` / `compose` commands in a project's scripts,
per shell dialect (shell_words splits the script as its shell does; PowerShell through the tokenizer).

For each command: its mounts (`-v`/`--volume`, `--mount`, `--tmpfs`, read by mount_spec, the one mount-spec
parser), variables (`-e`/`--env`, `--env-file`), working folder, image, `--privileged`, the Docker socket,
published ports, and for compose its `-f` files and `--env-file`. Values stay as written (the folder forms
of current_folder are expanded only by `resolved_binds`, for the caller that knows where the script runs).
"""
from __future__ import annotations

import posixpath
from ..records import dataclass, field
from pathlib import Path

from .command_words import Command, Word
from .current_folder import expand
from .mount_spec import MountSpec, parse_flag
from .pstokens import Token
from .shell_words import commands

DOCKER_WORDS = frozenset({"docker", "docker.exe"})
COMPOSE_WORDS = frozenset({"docker-compose", "docker-compose.exe"})
# Words that may come before `docker` in the same command: runners, and the shell keywords that open a
# command list (`if docker ...; then`, `{ docker ...; }`, `while ... do docker ...`).
PREFIX_WORDS = frozenset({"exec", "sudo", "command", "&", "call", "start", "env", "nohup", "time", "winpty",
                          "{", "!", "if", "then", "else", "elif", "do", "while", "until"})
# `docker` options before the sub-command that take a value.
GLOBAL_VALUED = frozenset({"-H", "--host", "-c", "--context", "--config", "-l", "--log-level", "--tlscacert",
                           "--tlscert", "--tlskey"})
# `docker run`/`create` options that take a value (the others are switches); enough to find the image.
RUN_VALUED = frozenset({
    "-v", "--volume", "-e", "--env", "--env-file", "-w", "--workdir", "--mount", "--name", "-p", "--publish",
    "--network", "--net", "-u", "--user", "--entrypoint", "-h", "--hostname", "-l", "--label", "--label-file",
    "--add-host", "--cap-add", "--cap-drop", "--security-opt", "--device", "--platform", "--restart", "--memory",
    "-m", "--cpus", "--tmpfs", "--volumes-from", "--pull", "--shm-size", "-a", "--attach", "--dns", "--gpus",
    "--ipc", "--pid", "--log-driver", "--log-opt", "--runtime", "--stop-signal", "--stop-timeout", "--ulimit",
    "--userns", "--uts", "--group-add", "--expose", "--link", "--ip", "--network-alias", "--isolation",
    "--memory-swap", "--cpuset-cpus", "--sysctl", "--cgroupns", "--cidfile", "--health-cmd", "--detach-keys",
    "--mac-address", "--cgroup-parent", "--pids-limit", "--volume-driver", "--annotation", "--domainname"})
# `docker compose` options before its sub-command that take a value.
COMPOSE_VALUED = frozenset({"-f", "--file", "-p", "--project-name", "--env-file", "--project-directory",
                            "--profile", "--ansi", "--parallel", "--progress"})
# `docker build` (also `image build`, `buildx build`) options that take a value.
BUILD_VALUED = frozenset({
    "-t", "--tag", "-f", "--file", "--build-arg", "--target", "--platform", "--label", "--cache-from", "--cache-to",
    "--network", "--secret", "--ssh", "-o", "--output", "--progress", "--iidfile", "--add-host", "--build-context",
    "--shm-size", "--ulimit", "-m", "--memory", "--isolation", "--cgroup-parent", "--metadata-file", "--builder",
    "--attest", "--annotation", "--allow"})
MOUNT_FLAGS = {"-v": "-v", "--volume": "--volume", "--mount": "--mount", "--tmpfs": "--tmpfs"}


@dataclass(frozen=True)
class MountArg:
    """One `-v`/`--volume`/`--mount`/`--tmpfs` argument: where it is, how it is quoted, what it mounts."""

    flag: str  # -v, --volume, --mount, --tmpfs
    text: str  # the spec as written (quotes included; without `--volume=`)
    spec: str  # the spec with quotes and escapes removed
    word: Word
    mount: MountSpec

    @property
    def value(self) -> str:
        """The spec; for `--mount`, its source (what a check of host paths reads)."""
        return self.mount.source if self.flag == "--mount" and self.mount.source else self.spec

    @property
    def line(self) -> int:
        return self.word.line

    @property
    def column(self) -> int:
        return self.word.column

    @property
    def fully_quoted(self) -> bool:
        return self.word.fully_quoted

    @property
    def unquoted(self) -> str:
        return self.word.unquoted

    @property
    def ps_split(self) -> str:
        return self.word.ps_split

    @property
    def ps_bad_drive(self) -> bool:
        return self.word.ps_bad_drive


@dataclass
class DockerCommand:
    dialect: str
    words: tuple[Word, ...]  # the whole command, prefix words included
    subcommand: str  # "run", "create", "compose up", "compose run", "build", ...
    mounts: list[MountArg] = field(default_factory=list)
    env: dict[str, str | None] = field(default_factory=dict)  # None: taken from the caller's environment
    env_files: list[str] = field(default_factory=list)
    workdir: str | None = None
    image: str | None = None  # `run`/`create`: the image word; compose run: the service
    privileged: bool = False
    ports: list[str] = field(default_factory=list)
    compose_files: list[str] = field(default_factory=list)  # compose `-f`
    compose_env_files: list[str] = field(default_factory=list)  # compose `--env-file` (for interpolation)
    tags: list[str] = field(default_factory=list)  # `docker build -t`
    build_context: str | None = None  # `docker build`: the context operand, as written
    dockerfile: str | None = None  # `docker build -f`

    @property
    def line(self) -> int:
        return self.words[0].line if self.words else 0

    @property
    def starts_container(self) -> bool:
        return self.subcommand in ("run", "create")

    @property
    def socket(self) -> bool:
        """The Docker socket (or Windows' named pipe) is mounted into the container."""
        return any(is_socket(m.mount.source) or is_socket(m.mount.target) for m in self.mounts)


def is_socket(path: str) -> bool:
    """`/var/run/docker.sock`, Git Bash's `//var/run/docker.sock`, a rootless `.../docker.sock`, or Windows'
    named pipe `//./pipe/docker_engine`."""
    folded = path.replace("\\", "/").lower()
    return folded.endswith(("/docker.sock", "/pipe/docker_engine"))


def _docker_start(values: list[str]) -> int | None:
    """Index of `docker` (or `docker-compose`) after prefix words and `NAME=value` assignments."""
    k = 0
    while k < len(values) and (values[k].lower() in PREFIX_WORDS or ("=" in values[k] and
                               values[k].split("=", 1)[0].isidentifier()) or values[k].lower() == "set"):
        k += 1
    if k < len(values) and (values[k].lower() in DOCKER_WORDS | COMPOSE_WORDS):
        return k
    return None


def _options(cmd: DockerCommand, words: list[Word], valued: frozenset[str]) -> int:
    """Reads `docker run`-like options from words[0]; returns the index of the first operand."""
    i = 0
    while i < len(words):
        raw = words[i].value
        if not raw.startswith("-") or raw == "-":
            return i
        if raw == "--":
            return i + 1
        name, eq, inline = raw.partition("=")
        if not eq and name in valued and i + 1 < len(words):
            value, where, text = words[i + 1].value, words[i + 1], words[i + 1].text
            i += 2
        else:
            value, where, text = inline, words[i], words[i].text.split("=", 1)[-1] if eq else ""
            i += 1
        _option(cmd, name, value, where, text)
    return i


def _option(cmd: DockerCommand, name: str, value: str, word: Word, text: str) -> None:
    if name in MOUNT_FLAGS:
        cmd.mounts.append(MountArg(name, text, value, word, parse_flag(name, value)))
    elif name in ("-e", "--env"):
        key, has, val = value.partition("=")
        cmd.env[key] = val if has else None
    elif name == "--env-file" and cmd.subcommand == "compose":
        cmd.compose_env_files.append(value)
    elif name == "--env-file":
        cmd.env_files.append(value)
    elif name in ("-w", "--workdir"):
        cmd.workdir = value
    elif name == "--privileged":
        cmd.privileged = value.lower() not in ("false", "0")
    elif name in ("-p", "--publish") and cmd.subcommand != "compose":
        cmd.ports.append(value)
    elif name in ("-t", "--tag") and cmd.subcommand == "build":
        cmd.tags.append(value)
    elif name in ("-f", "--file") and cmd.subcommand == "compose":
        cmd.compose_files.append(value)
    elif name in ("-f", "--file") and cmd.subcommand == "build":
        cmd.dockerfile = value


def read_command(command: Command) -> DockerCommand | None:
    """The docker command `command` runs, or None when it runs something else."""
    values = [w.value for w in command.words]
    start = _docker_start(values)
    if start is None:
        return None
    rest = list(command.words[start + 1:])
    cmd = DockerCommand(command.dialect, command.words, "")
    if values[start].lower() in COMPOSE_WORDS:
        rest.insert(0, Word("compose", "compose", 0, 0, "compose", False))
    else:
        skip = 0
        while skip < len(rest) and rest[skip].value.startswith("-"):
            skip += 2 if rest[skip].value in GLOBAL_VALUED else 1
        rest = rest[skip:]
    if rest and rest[0].value.lower() in ("container", "image", "buildx") and len(rest) > 1:
        rest = rest[1:]  # `docker container run`, `docker image build`, `docker buildx build`
    if not rest:
        return None
    sub = rest[0].value.lower()
    if sub in ("run", "create"):
        cmd.subcommand = sub
        first = _options(cmd, rest[1:], RUN_VALUED)
        cmd.image = rest[1 + first].value if 1 + first < len(rest) else None
    elif sub == "compose":
        cmd.subcommand = "compose"
        first = 1 + _options(cmd, rest[1:], COMPOSE_VALUED)
        if first < len(rest):
            cmd.subcommand = "compose " + rest[first].value.lower()
        if cmd.subcommand == "compose run":  # the others' options are not run's (`down -v`: remove volumes)
            operand = first + 1 + _options(cmd, rest[first + 1:], RUN_VALUED)
            cmd.image = rest[operand].value if operand < len(rest) else None
    elif sub == "build":
        cmd.subcommand = sub
        first = 1 + _options(cmd, rest[1:], BUILD_VALUED)
        cmd.build_context = rest[first].value if first < len(rest) else None
    else:
        cmd.subcommand = sub
    return cmd


def docker_commands(text: str, dialect: str, first_line: int = 1,
                    tokens: list[Token] | None = None) -> list[DockerCommand]:
    """Every docker command of a script's text (`tokens`: its PowerShell tokens, when known already)."""
    found = (read_command(c) for c in commands(text, dialect, first_line, tokens, mentioning="docker"))
    return [c for c in found if c is not None]


# -- host paths ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Bind:
    source: str  # the host path, the folder forms expanded and made absolute
    target: str
    read_only: bool
    mount: MountArg | None = None  # the argument it comes from


def host_path(source: str, dialect: str, run_from: Path, script_dir: Path) -> str:
    """A bind source as the host sees it when the script runs from `run_from`: the current-folder and
    script-folder forms expanded, a relative path made absolute, Git Bash's `//var/...` unescaped."""
    path = expand(source, dialect, str(run_from), str(script_dir))
    if path.startswith("//") and not path.startswith("///"):
        path = path[1:]  # Git Bash's conversion-proof spelling of a POSIX path
    return posixpath.normpath(str(run_from / path)) if path.startswith(".") else path


def resolved_binds(cmd: DockerCommand, run_from: Path, script_dir: Path) -> list[Bind]:
    """The command's bind mounts with their host paths (see host_path)."""
    return [Bind(host_path(m.mount.source, cmd.dialect, run_from, script_dir), m.mount.target, m.mount.read_only, m)
            for m in cmd.mounts if m.mount.is_bind]
