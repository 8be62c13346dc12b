"""Shapes: what evidence shows instead of a value or a line that holds one (the key, the value's length,
the CR marker, the BOM), so that a check quotes nothing secret even before the masking boundary."""
from __future__ import annotations

import re

from .secret_rules import MIN_LENGTH, REFERENCE, marker, mask_url

_INVISIBLE = {"\r": "␍", " ": "·", "\t": "→"}


def value_shape(value: str | None) -> str:
    """A value as evidence may show it: its length and its invisible last character, nothing else."""
    if value is None:
        return "(no value)"
    if value == "":
        return "(empty)"
    return marker(len(value)) + _INVISIBLE.get(value[-1], "")


_ASSIGNMENT = re.compile(r"(?P<head>\s*(?:export\s+|(?:ENV|ARG)\s+|-\s+)?[\"']?)(?P<key>[^\s=:\"']+)"
                         r"(?P<sep>\s*=\s*|:\s+|\s+)(?P<value>.*)", re.IGNORECASE)


def line_shape(line: str) -> str:
    """A line of a .env, compose or Dockerfile as evidence may show it: the BOM, the key, the value's
    length and the CR marker; a line that is not KEY=VALUE shows only its length."""
    bom = "[BOM]" if line.startswith("\ufeff") else ""
    body = line.lstrip("\ufeff")
    cr = "␍" if body.endswith("\r") else ""
    body = body.rstrip("\r\n")
    if body.startswith("#!"):
        return f"{bom}{command_shape(body)}{cr}"  # a shebang names an interpreter, and is what matters
    m = _ASSIGNMENT.fullmatch(body)
    if m and _ENV_KEY.fullmatch(m.group("key")):
        return f"{bom}{m.group('head')}{m.group('key')}{m.group('sep')}{value_shape(m.group('value'))}{cr}"
    if not body.strip():
        return f"{bom}(blank){cr}"
    return f"{bom}({len(body)} chars, not KEY=VALUE){cr}"


_ENV_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*")
_COMMAND_ASSIGNMENT = re.compile(
    r"(?P<head>(?:(?<![\w-])(?:-e|--env|--build-arg)(?:\s+|=)|(?<![\w$-])(?=[A-Z_][A-Z0-9_]*=)|\$env:)"
    r"(?P<open>[\"'])?(?P<key>[A-Za-z_][A-Za-z0-9_.]*)(?P<sep>\s*=\s*))"
    r"(?P<value>(?(open)[^\"'\n]*|(?:\"[^\"\n]*\"|'[^'\n]*'|[^\s\"'`]+)))")


def command_shape(text: str) -> str:
    """A command line as evidence may show it: every `-e KEY=value`, `--env`, `--build-arg`, `KEY=value`
    and `$env:KEY = value` keeps its key and loses its value (`-e DB_PASSWORD=***(9)`), and every URL
    its userinfo."""
    def shape(m: re.Match[str]) -> str:
        value = m.group("value")
        quote = value[0] if value[:1] in "\"'" and len(value) >= 2 and value[-1] == value[0] else ""
        inner = value[1:-1] if quote else value
        if REFERENCE.fullmatch(inner):
            return m.group(0)  # `-e KEY=$KEY`: a reference, the value is not in the script
        return f"{m.group('head')}{quote}{marker(len(inner))}{quote}" if inner else m.group(0)

    return mask_url(_COMMAND_ASSIGNMENT.sub(shape, text))


def quoted_shape(text: str) -> str:
    """A tool's message (compose's parse error) with each quoted text longer than a few characters
    replaced by its length: such messages quote the offending line, value included."""
    def shape(m: re.Match[str]) -> str:
        inner = m.group(0)[1:-1]
        return m.group(0) if len(inner) < MIN_LENGTH else m.group(0)[0] + marker(len(inner)) + m.group(0)[0]

    return re.sub(r"\"[^\"\n]*\"|'[^'\n]*'", shape, text)
