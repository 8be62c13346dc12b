"""The map of the set-up: host -> outer container(s) -> module container(s), drawn from the project model
(project/setup_model.py), never from a reader of its own. Each level says which daemon it talks to, and
what arrives there (mounts with their source as THAT level's daemon sees it, variables by name, files
baked by a COPY) or is lost on the way, and where. What the files cannot tell is marked unknown; nothing
is invented (a `docker run` cut short by a broken backtick shows what reaches the command, and the lines
that never do as lost).
"""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from ..evidence_shapes import command_shape
from ..project.docker_commands import DockerCommand
from ..project.host_run import IMAGE_REF
from ..project.ps_continuations import continuation_problems
from ..project.setup_model import Outer, compose_seen_from, in_folder, outer_containers, script_sources
from ..records import dataclass, field

if TYPE_CHECKING:
    from ..project.compose_model import ComposeProject, Service
    from ..project.project_model import ProjectModel
    from ..project.scripts import ScriptSource

ARRIVES, LOST, UNKNOWN = "arrives", "lost", "unknown"


@dataclass
class Item:
    kind: str  # bind, volume, socket, env, env_file, file, image, lines
    text: str  # what it is, the source as this level's daemon sees it
    state: str = ARRIVES  # arrives, lost, unknown
    note: str = ""  # why, and where it is written or lost


@dataclass
class Node:
    """One level: the host, an outer container, a module container."""

    kind: str  # host, outer, module
    title: str
    daemon: str
    where: str = ""  # file:line that starts it
    items: list[Item] = field(default_factory=list)
    children: list["Node"] = field(default_factory=list)
    also: list[str] = field(default_factory=list)  # other file:lines that start the very same container

    def walk(self) -> list["Node"]:
        return [self] + [n for c in self.children for n in c.walk()]

    @property
    def places(self) -> list[str]:
        """Every file:line that starts this level (run_host.ps1:10 and run_host.sh:14: one run, two shells)."""
        return ([self.where] if self.where else []) + self.also


def _lost_lines(source: "ScriptSource", cmd: DockerCommand) -> list[Item]:
    """The lines a broken continuation keeps from reaching this command."""
    if source.dialect != "powershell" or not cmd.words:
        return []
    last = cmd.words[-1].line
    return [Item("lines", f"from line {p.line + 1} on: `{command_shape(p.orphan)}` and what follows", LOST,
                 f"{source.rel}:{p.line}: the continuation is broken ({p.kind}); these lines never reach "
                 "`docker run`") for p in continuation_problems(source.text, source.first_line, source.tokens)
            if p.line == last and p.orphan and not p.harmless]


def _outer_items(model: "ProjectModel", outer: Outer) -> list[Item]:
    items: list[Item] = []
    for bind in outer.binds:
        if outer.socket_line is not None and bind.mount is not None and bind.mount.line == outer.socket_line:
            items.append(Item("socket", f"{bind.source} -> {bind.target}", note="the host's daemon, for every "
                              "docker command run inside"))
        elif not Path(bind.source).exists():
            items.append(Item("bind", f"{bind.source} -> {bind.target}", UNKNOWN, "no such folder here, run from "
                              "the script's folder or the project root: the script is run from elsewhere"))
        else:
            items.append(Item("bind", f"{bind.source} -> {bind.target}", note="a path on the host"))
    cmd = outer.command
    if cmd is not None:
        items += [Item("volume", f"{m.mount.source} -> {m.mount.target}") for m in cmd.mounts
                  if m.mount.kind == "volume"]
        items += [Item("env", name, note="-e") for name in sorted(cmd.env)]
        items += [Item("env_file", name, note="--env-file") for name in cmd.env_files]
    if outer.dockerfile is not None:
        parsed = model.dockerfiles.get(outer.dockerfile)
        rel = model.files.rel(outer.dockerfile)
        for instr in parsed.copies if parsed is not None else []:
            items.append(Item("file", f"{', '.join(instr.copy_sources)} -> {instr.destination} (in the image)",
                              note=f"{rel}:{instr.line}, as of the last build"))
    elif outer.image:
        items.append(Item("image", outer.image, UNKNOWN, "no Dockerfile of the project builds this image"))
    return items


def _module(model: "ProjectModel", project: "ComposeProject", service: "Service", outer: Outer | None,
            seen: str | None) -> Node:
    via_host = outer is None or outer.dood
    daemon = ("the host's daemon" + (", through the outer container's socket" if outer else "")) if via_host \
        else f"the outer container's daemon ({outer.daemon if outer else '?'})"
    node = Node("module", f"service {service.name} ({service.image})", daemon,
                f"{model.files.rel(project.file)}:{service.origin.line or 1}")
    parsed = model.dockerfiles.get(service.build.dockerfile) if service.build and service.build.dockerfile else None
    for mount in service.mounts:
        if mount.kind == "volume":
            real = project.volumes.get(mount.source, mount.source)
            filled = parsed is not None and not mount.no_copy and any(
                i.destination and in_folder(i.destination, mount.target) for i in parsed.copies)
            node.items.append(Item("volume", f"{real} -> {mount.target}",
                                   note="a volume on " + ("the host's" if via_host else "the inner") + " daemon"
                                   + ("; filled from the image ONCE, at the first `up`: later builds do not reach "
                                      "it (see volume-design)" if filled else "")))
        elif mount.kind == "bind":
            node.items.append(_module_bind(project, mount.source, mount.raw_source, mount.target, mount.passed_in,
                                           outer, seen))
    for ref in service.env_files:
        exists = ref.checkable and ref.path.is_file()
        node.items.append(Item("env_file", model.files.rel(ref.path) if ref.checkable else ref.raw,
                               ARRIVES if exists or not ref.required else LOST,
                               "read by the compose client, values sent to the daemon" if exists
                               else "the file does not exist where compose looks"))
    node.items += [Item("env", key, note="environment:") for key in service.env_keys]
    if service.build and service.build.dockerfile:
        rel = model.files.rel(service.build.dockerfile)
        for instr in parsed.copies if parsed is not None else []:
            node.items.append(Item("file", f"{', '.join(instr.copy_sources)} -> {instr.destination} (in the image)",
                                   note=f"{rel}:{instr.line}; the build context is read by the client"))
        if parsed is None:
            node.items.append(Item("image", rel, UNKNOWN, "the Dockerfile is missing or unreadable"))
    return node


def _module_bind(project: "ComposeProject", source: str, raw: str, target: str, passed_in: bool,
                 outer: Outer | None, seen: str | None) -> Item:
    if outer is None or not outer.dood or passed_in:
        note = "a host path passed in" if passed_in else "the daemon's own path"
        return Item("bind", f"{source} -> {target}", ARRIVES, note)
    if seen is None:
        return Item("bind", f"{raw} -> {target}", UNKNOWN, "where the outer container holds the compose folder "
                    "is not known from the files")
    inside = seen + source[len(str(project.dir)):]
    if inside == source:
        return Item("bind", f"{source} -> {target}", ARRIVES, "the same path on the host and in the outer container")
    return Item("bind", f"{inside} -> {target}", LOST, f"`{raw}` becomes {inside} in the outer container; the host's "
                f"daemon mounts the HOST's {inside}: an empty folder (see setup-design)")


def _one_box_per_run(boxes: list[tuple[Outer, Node]]) -> list[tuple[Outer, Node]]:
    """Boxes that would be drawn alike but for the line that starts them are one run written for several
    shells (run_host.ps1 and run_host.sh): drawn once, naming every script as a way to start it."""
    first: dict[str, tuple[Outer, Node]] = {}
    for outer, node in boxes:
        key = repr(replace(node, where=""))  # the whole box: title, daemon, items and the modules under it
        if key in first:
            first[key][1].also.append(node.where)
        else:
            first[key] = (outer, node)
    return list(first.values())


def build_map(model: "ProjectModel") -> Node:
    """The set-up as the project's files describe it."""
    host = Node("host", f"host ({model.root.name})", "its own daemon (DOCKER_HOST, the context, or the default)")
    outers = outer_containers(model)
    broken = [(s, c) for s in script_sources(model) for c in s.docker_commands
              if c.subcommand == "run" and not IMAGE_REF.match(c.image or "")]
    reached: set[Path] = set()
    sources = {s.rel: s for s in script_sources(model)}
    boxes: list[tuple[Outer, Node]] = []
    for outer in outers:
        daemon = {"host": "the host's daemon, through the mounted socket (Docker-out-of-Docker)",
                  "own": "its own dockerd (Docker-in-Docker)"}.get(outer.daemon, outer.daemon)
        node = Node("outer", outer.label, daemon, f"{outer.rel}:{outer.line}",
                    _outer_items(model, outer))
        source = sources.get(outer.rel)
        if source is not None and outer.command is not None:
            node.items += _lost_lines(source, outer.command)
        for project in model.compose:
            seen = compose_seen_from(outer, project)
            if seen is None or project.error:
                continue
            reached.add(project.file)
            node.items.append(Item("file", f"{model.files.rel(project.file)} -> {seen}/{project.file.name}",
                                   note=f"compose project `{project.name}` as seen from the outer container"))
            node.children += [_module(model, project, s, outer, seen) for s in project.services.values()]
        boxes.append((outer, node))
    boxes = _one_box_per_run(boxes)
    several = sum(o.daemon != "own" for o, _ in boxes) > 1
    for _, node in boxes:
        if several:
            node.items.append(Item("lines", "several outer containers", UNKNOWN, "which one runs compose is not "
                                   "known from the files"))
        host.children.append(node)
    for source, cmd in broken:
        node = Node("outer", f"? `docker run` at {source.rel}:{cmd.line} names no image",
                    "unknown: the command ends before its image", f"{source.rel}:{cmd.line}",
                    [Item("bind", f"{m.mount.source} -> {m.mount.target}") for m in cmd.mounts])
        node.items += _lost_lines(source, cmd)
        host.children.append(node)
    outer_services = {id(o.service) for o in outers if o.service is not None}
    for project in model.compose:
        if project.file not in reached and not project.error:
            host.children += [_module(model, project, s, None, None) for s in project.services.values()
                              if id(s) not in outer_services]
        elif project.error:
            host.items.append(Item("file", model.files.rel(project.file), UNKNOWN, project.error.message))
    if not host.children:
        host.items.append(Item("lines", "no container", UNKNOWN, "no run script or compose file starts one"))
    return host
