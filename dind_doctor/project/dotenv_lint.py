"""Read a .env file the way its consumers do, and say where they disagree. Values are never returned
for display: only keys, lines, lengths and masks.

Consumers (see nested-docker-facts.md): docker compose (client side, trims CR from unquoted values),
`docker run --env-file` (no `export`, no spaces around `=`, refuses non-UTF-8), python-dotenv (what the
module and Airflow's DockerOperator use; strips a BOM only from 1.2.2 on), and `source .env` in sh (keeps
every CR).
"""
from __future__ import annotations

import io
import re
from ..records import dataclass, field

from ..evidence_shapes import line_shape, value_shape
from .plain_env import plain_pairs

EXAMPLE_SUFFIXES = (".example", ".sample", ".template", ".dist", ".tmpl", ".defaults")
KEY_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")


@dataclass(frozen=True)
class EnvIssue:
    kind: str  # parse, export, spaces, duplicate, cr-value, crlf, empty, bad-key
    line: int
    key: str | None
    message: str
    column: int | None = None


@dataclass
class EnvReport:
    values: dict[str, str | None] = field(default_factory=dict)  # as python-dotenv reads them (last wins)
    lines: dict[str, int] = field(default_factory=dict)  # key -> line of its last definition
    issues: list[EnvIssue] = field(default_factory=list)

    @property
    def keys(self) -> list[str]:
        return list(self.values)


def is_example(name: str) -> bool:
    return name.lower().endswith(EXAMPLE_SUFFIXES)


def digest(value: str) -> str:
    import hashlib  # only where a value is compared (the live env_file probe): not at every start-up

    return hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()


def lint(text: str) -> EnvReport:
    """Never raises, whatever the text."""
    text = text.lstrip("\ufeff")
    pairs = plain_pairs(text)
    if pairs is None:
        return lint_by_dotenv(text)
    report = EnvReport()  # lines python-dotenv reads as they are: none of lint_by_dotenv's issues can arise
    for key, value, line in pairs:
        report.values[key], report.lines[key] = value, line
    return report


def lint_by_dotenv(text: str) -> EnvReport:
    """lint() of a text (BOM removed) with a line python-dotenv may read otherwise than split at `=`."""
    from dotenv.parser import parse_stream

    report = EnvReport()
    seen: dict[str, int] = {}
    try:
        bindings = list(parse_stream(io.StringIO(text)))
    except Exception as exc:  # python-dotenv is robust, but a reader must not crash the check
        report.issues.append(EnvIssue("parse", 1, None, f"python-dotenv cannot read it: {exc}"))
        return report
    crlf_lines = 0
    offset = 0
    for b in bindings:
        # python-dotenv counts a lone CR as a line break; editors and this report count LF only.
        original, line = b.original.string, text.count("\n", 0, offset) + 1
        offset += len(original)
        first = original.lstrip(" \t")
        if original.endswith("\r\n") or original.endswith("\r"):
            crlf_lines += 1
        if b.error:
            report.issues.append(EnvIssue("parse", line, None, f"python-dotenv cannot parse the line "
                                                               f"`{line_shape(original)}` (an unclosed quote, or "
                                                               "no key)"))
            continue
        if b.key is None:
            continue  # a comment or a blank line
        # A key that is not a variable name is often a value on a line of its own (a pasted PEM body, an
        # `sk_live_...` token): it is shown by its length only, in the messages and in the issue.
        key = b.key if KEY_RE.match(b.key) else value_shape(b.key)
        if first.startswith("export "):
            report.issues.append(EnvIssue("export", line, key, f"`export {key}=`: `docker run --env-file` reads the "
                                                               f"key as `export {key}` and refuses it"))
        before_eq = first[len("export "):] if first.startswith("export ") else first
        if "=" in before_eq:
            name_part, _, after = before_eq.partition("=")
            if name_part != name_part.rstrip() or (after[:1] in (" ", "\t") and after.strip()):
                report.issues.append(EnvIssue("spaces", line, key, f"spaces around `=` in `{key}`: `docker run "
                                                                   "--env-file` keeps them in the key or value",
                                              original.index("=") + 1))
        if key != b.key:
            report.issues.append(EnvIssue("bad-key", line, key, f"a name of {len(b.key)} characters that is not a "
                                                                "valid variable name (a value on a line of its own?)"))
        if key in seen and key == b.key:
            report.issues.append(EnvIssue("duplicate", line, key, f"`{key}` is defined again (first at line "
                                                                  f"{seen[key]}); the last one wins"))
        seen[key] = line
        value = b.value
        if value is not None and "\r" in value:
            report.issues.append(EnvIssue("cr-value", line, key, f"the value of `{key}` holds a carriage return "
                                                                  f"({value_shape(value)}): python-dotenv and compose keep it"))
        report.values[key] = value
        report.lines[key] = line
    if crlf_lines:
        first_cr = text.count("\n", 0, text.index("\r")) + 1
        report.issues.append(EnvIssue("crlf", first_cr, None, f"{crlf_lines} line(s) end in CRLF: compose and "
                                                              "python-dotenv drop the CR, but `source .env` in sh "
                                                              "keeps it at the end of every value"))
    return report
