"""The rows of the `levels` matrix, built from what the walk observed at each level (pure: no daemon).

One row per thing that should travel: the sentinel written for this run, the env_file, the module's code
(merged: the worst cell of its files), each named volume, each variable the module expects.
"""
from __future__ import annotations

from ..records import dataclass
from typing import TYPE_CHECKING

from ..engine import manifest
from .matrix import EMPTY, MISSING, NOT_APPLICABLE, SEEN, STALE, UNKNOWN, Cell, Row

if TYPE_CHECKING:
    from .walk import Plan

Observations = dict[str, dict[str, tuple[str, ...]]]
NOT_MOUNTED = "not under any folder the run script mounts"


@dataclass(frozen=True)
class Seen:
    """What the walk saw, and why the module level may be unknown."""

    outer: dict[str, tuple[str, ...]]
    module: dict[str, tuple[str, ...]]
    module_unknown: str  # "" when the module level reported
    module_where: str  # where the module container takes its code from (the note of a lost cell)

    def cells(self, row_id: str, expected: manifest.Entry | None, host: Cell, outer_applies: bool = True
              ) -> dict[str, Cell]:
        outer = file_cell(self.outer.get(row_id), expected, NOT_MOUNTED) if outer_applies else Cell(NOT_APPLICABLE)
        return {"host": host, "outer": outer,
                "module": self.module_cell(file_cell(self.module.get(row_id), expected, self.module_where))}

    def module_cell(self, reported: Cell) -> Cell:
        """`reported`, or unknown (and why) when the module level did not report."""
        return Cell(UNKNOWN, self.module_unknown) if self.module_unknown else reported


def file_cell(obs: tuple[str, ...] | None, expected: manifest.Entry | None, where: str) -> Cell:
    if obs is None or obs[0] == "M":
        return Cell(MISSING, where)
    if obs[0] == "D":
        return Cell(SEEN if obs[2] != "0" else EMPTY, f"{obs[2]} file(s)")
    if expected is not None and (int(obs[2]) != expected.size or obs[3] != expected.sha256):
        return Cell(STALE, f"{where}: other content than on the host")
    return Cell(SEEN)


def module_unknown(plan: "Plan", obs: Observations, code: int, compose_outer: str | None) -> str:
    """Why the module level did not report ("" when it did)."""
    exit_line = next((k for k in obs if k.startswith("exit ")), None)
    module = obs.get("module")
    if module is not None and exit_line is not None and (exit_line == "exit 0" or module):
        return ""
    chatter = " | ".join(v[0] for v in obs.get("other", {}).values())[-300:]
    if not plan.spec.socket:
        return "the run script mounts no Docker socket"
    if not compose_outer:
        return "the compose file is not visible in the outer container"
    if exit_line is None:
        return f"the outer stand-in stopped (exit {code})"
    return f"`docker compose run` failed: {chatter or exit_line}"


def module_where(plan: "Plan", module_image: str | None) -> str:
    """Where the module container's code comes from, in the words of a lost cell's note."""
    if module_image:
        return f"the image {plan.service.image} is not built"
    volume = next((real for _key, real, target in plan.volumes if target == plan.module_dir), None)
    if volume:
        return f"{plan.module_dir} is named volume {volume}: filled from the image ONCE; later files never reach it"
    return f"{plan.module_dir} comes from the image: baked at build time (rebuild to see changes)"


def env_file_row(plan: "Plan", seen: Seen) -> Row:
    name = plan.env_file.name if plan.env_file else ".env"
    entry = manifest.file_entry(plan.env_file) if plan.env_file and plan.env_file.is_file() else None
    row = Row("env-file", f"{plan.source.name}/{name}" if plan.env_file else ".env",
              seen.cells("env-file", entry, Cell(SEEN) if entry else Cell(MISSING, "no env_file on the host")))
    keys_arrive = bool(plan.env_keys) and all((seen.module.get(k) or ("", "", ""))[2] == "set"
                                              for k in plan.env_keys)
    if row.cells["module"].state == MISSING and keys_arrive:
        row.cells["module"] = Cell(NOT_APPLICABLE, "not copied (fine): its keys arrive as variables")
    return row


def code_row(plan: "Plan", seen: Seen) -> Row:
    """One row for the module's code: at each level, the worst state of its files."""
    per_file = {rel: seen.cells(f"code:{rel}", entry, Cell(SEEN)) for rel, entry in plan.code.items()}
    merged = {}
    for level in ("host", "outer", "module"):
        states = [cells[level] for cells in per_file.values()]
        worst = next((s for s in (UNKNOWN, MISSING, STALE, EMPTY) if any(c.state == s for c in states)), SEEN)
        bad = [rel for rel, cells in per_file.items() if cells[level].state == worst]
        note = next((c.note for c in states if c.state == worst), "")
        merged[level] = Cell(worst, f"{note} ({', '.join(bad[:3])})" if worst in (MISSING, STALE) else note)
    return Row("code", f"module code ({len(plan.code)} file(s) of {plan.source.name}/)", merged)


def volume_rows(plan: "Plan", seen: Seen, temp_volumes: dict[str, str], module_image: str | None) -> list[Row]:
    rows = []
    for key, real, target in plan.volumes:
        # Not created yet is not a loss: a first `up` creates it (the walk used a throw-away one).
        host = Cell(NOT_APPLICABLE, f"volume {real} is not created yet") if key in temp_volumes else \
            Cell(SEEN, f"volume {real} exists")
        module = seen.module_cell(file_cell(seen.module.get(f"volume:{key}"), None, f"not mounted on {target}"))
        if module.state == EMPTY:
            module = Cell(EMPTY, seen.module_where if module_image else
                          "nothing filled it (nocopy, or the image holds nothing there)")
        rows.append(Row(f"volume:{key}", f"named volume {key}",
                        {"host": host, "outer": Cell(NOT_APPLICABLE), "module": module}))
    return rows


def variable_rows(plan: "Plan", seen: Seen, env_row: Row) -> list[Row]:
    env_name = plan.env_file.name if plan.env_file else ".env"
    outer = Cell(SEEN) if env_row.cells["outer"].state == SEEN else \
        Cell(MISSING, f"compose reads {env_name} in the outer container, and it is not there")
    rows = []
    for key in plan.env_keys:
        state = (seen.module.get(key) or ("E", key, "unset"))[2]
        module = seen.module_cell(Cell({"set": SEEN, "empty": EMPTY}.get(state, MISSING), "" if state == "set" else
                                       f"{key} is {state} in the module container (env_file/environment)"))
        rows.append(Row(f"var:{key}", f"variable {key}",
                        {"host": Cell(SEEN, f"in {env_name}"), "outer": outer, "module": module}))
    return rows


def build_rows(plan: "Plan", obs: Observations, code: int, host_sentinel: manifest.Entry | None,
               compose_outer: str | None, temp_volumes: dict[str, str], module_image: str | None) -> list[Row]:
    unknown = module_unknown(plan, obs, code, compose_outer)
    seen = Seen(obs.get("outer", {}), {} if unknown else obs.get("module") or {}, unknown,
                module_where(plan, module_image))
    rows = [Row("sentinel", f"sentinel file in {plan.source.name}/", seen.cells("sentinel", host_sentinel, Cell(SEEN)))]
    env_row = env_file_row(plan, seen)
    rows.append(env_row)
    if plan.code:
        rows.append(code_row(plan, seen))
    rows += volume_rows(plan, seen, temp_volumes, module_image)
    rows += variable_rows(plan, seen, env_row)
    return rows
