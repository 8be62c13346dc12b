"""env-file, part 4: the live probe. For each needed key, what `docker compose` passes to the service's
container: whether it arrives, non-empty and without a CR, and whether its value equals what python-dotenv
reads. Read from the project's own `docker compose config` (compose's reading of the env_file, interpolated
from the shell and the project's `.env` as `up` does), the one child the volume checks share, as hashes:
no value is ever kept or printed. No container is needed: the daemon hands a container the environment
compose resolved, unchanged."""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from dind_doctor.model import Finding, Location, Status
from dind_doctor.project.dotenv_lint import digest
from dind_doctor.project.files import ProjectFiles
from dind_doctor.project.plain_env import read_alike
from dind_doctor.records import dataclass

from .env_file_content import Parsed

if TYPE_CHECKING:
    from dind_doctor.check import Check
    from dind_doctor.context import Context
    from dind_doctor.project.compose_model import ComposeProject, Service

PROBE = "docker compose config (the environment compose passes to the container, compared by hash)"
SETTLED = ("not run: every line is a plain KEY=value (no quote, $, backslash, #, space or CR), which compose "
           "passes as python-dotenv reads it")
def plain_file(files: ProjectFiles, path: Path) -> bool:
    """read_alike of the env_file at `path` (UTF-8 text only)."""
    content = files.read(path)
    return content.usable and not content.utf16 and read_alike(content.text)


@dataclass(frozen=True)
class Seen:
    """What compose passes, per key."""

    marks: dict[str, set[str]]  # key -> {"MISSING", "EMPTY", "CR", "HASH"}
    hashes: dict[str, str]

    @classmethod
    def from_values(cls, values: dict[str, str | None], keys: list[str]) -> "Seen":
        """What compose passes when it reads the file as python-dotenv does (a key without value: unset)."""
        return cls.from_passed({k: (digest(v), False) for k, v in values.items() if v is not None}, keys)

    @classmethod
    def from_passed(cls, passed: dict[str, tuple[str, bool]], keys: list[str]) -> "Seen":
        marks: dict[str, set[str]] = {k: set() for k in keys}
        hashes: dict[str, str] = {}
        for key in keys:
            if key not in passed:
                marks[key].add("MISSING")
                continue
            hashes[key], cr = passed[key]
            marks[key] |= {"HASH"} | ({"EMPTY"} if hashes[key] == digest("") else set()) | ({"CR"} if cr else set())
        return cls(marks, hashes)


def verdict(check: "Check", seen: Seen, parsed: Parsed, keys: list[str], rel: str, evidence: dict) -> Finding:
    missing = [k for k in keys if "MISSING" in seen.marks[k] or not seen.marks[k]]
    empty = [k for k in keys if "EMPTY" in seen.marks[k]]
    cr = [k for k in keys if "CR" in seen.marks[k]]
    differ = [k for k in keys if k in seen.hashes and parsed.values.get(k) is not None
              and seen.hashes[k] != digest(parsed.values[k] or "")]
    if missing or empty or cr:
        parts = [f"missing: {', '.join(missing)}" if missing else "", f"empty: {', '.join(empty)}" if empty else "",
                 f"ending in CR: {', '.join(cr)}" if cr else ""]
        return check.finding(Status.FAIL, "through compose: " + "; ".join(p for p in parts if p),
                             location=Location(rel), evidence=evidence,
                             detail="`docker compose` does not pass these keys from this env_file to the "
                                    "container as the module needs them.")
    if differ:
        return check.finding(Status.WARN, f"compose passes {', '.join(differ)} with a value different from "
                                          "what python-dotenv reads", location=Location(rel), evidence=evidence,
                             detail="Quotes, an inline comment or escapes are read differently: the module gets "
                                    "another value than the one you see when testing with python-dotenv.")
    return check.finding(Status.OK, f"{len(keys)} key(s) arrive in a container through compose, non-empty, "
                                    "without CR, equal to the file's values", location=Location(rel),
                         evidence=evidence)


def judged_keys(service: "Service", parsed: Parsed, keys: list[str], checked: dict) -> list[str]:
    """The keys whose value in `service` comes from this env_file: not those its `environment:` sets, nor
    those a later env_file of the service sets (or may set: one that could not be read)."""
    refs = [r.path for r in service.env_files]
    later = refs[refs.index(parsed.ref.path) + 1:] if parsed.ref.path in refs else []
    shadowing = [checked.get(p) for p in later if p != parsed.ref.path]
    return [k for k in keys if k not in service.env_keys
            and not any(other is None or k in other.values for other in shadowing)]


def probe_one(check: "Check", ctx: "Context", files: ProjectFiles, parsed: Parsed, keys: list[str],
              checked: dict) -> Finding:
    from dind_doctor.compose_cli import RESOLVED_BY, resolved_project

    rel = files.rel(parsed.ref.path)
    if plain_file(files, parsed.ref.path):
        return verdict(check, Seen.from_values(parsed.values, keys), parsed, keys, rel,
                       {"keys checked": len(keys), "probe": SETTLED})
    users: list[tuple["ComposeProject", "Service"]] = [
        (p, s) for p in ctx.project_model.compose if not p.error
        for s in p.services.values() if any(r.path == parsed.ref.path for r in s.env_files)]
    reasons = []
    for project, service in users:
        model = resolved_project(ctx, project, full=True)
        if model.resolved_by != RESOLVED_BY:
            reasons.append(model.notes[-1] if model.notes else "`docker compose config` gave no model")
            continue
        passed = model.passed_env.get(service.name)
        if passed is None:  # compose left the service out: a profile not enabled
            reasons.append(f"`docker compose config` lists no service {service.name} (a profile not enabled?)")
            continue
        judged = judged_keys(service, parsed, keys, checked)
        if not judged:
            return check.finding(Status.SKIP, f"live env_file probe: service {service.name} sets every needed key "
                                              "elsewhere (`environment:` or a later env_file)", location=Location(rel))
        evidence = {"service": service.name, "keys checked": len(judged), "probe": PROBE}
        if len(judged) < len(keys):
            evidence["not judged"] = (f"{len(keys) - len(judged)} key(s) the service's `environment:` or a later "
                                      "env_file sets")
        return verdict(check, Seen.from_passed(dict(passed), judged), parsed, judged, rel, evidence)
    reason = reasons[0] if reasons else "no compose service uses it"
    return check.finding(Status.SKIP, f"live env_file probe could not run: {reason}", location=Location(rel))


def live_findings(check: "Check", ctx: "Context", files: ProjectFiles, checked: list[Parsed]) -> list[Finding]:
    by_path = {parsed.ref.path: parsed for parsed in checked}
    out = []
    for parsed in checked:
        keys = [k for k in parsed.needed if k and k.replace("_", "").isalnum() and not k[0].isdigit()]
        if keys:
            out.append(probe_one(check, ctx, files, parsed, keys, by_path))
    return out
