"""The observation scripts the walk runs at each level (sh; busybox and coreutils alike), and the reading of
their output. Each level reports a file's size and SHA-256, a folder's file count, or a variable's
presence: never a value."""
from __future__ import annotations

import re
import shlex

KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")

_OBS = ("obs() { if [ -f \"$2\" ]; then printf 'F\\t%s\\t%s\\t%s\\n' \"$1\" \"$(wc -c < \"$2\" | tr -d ' ')\" "
        "\"$(sha256sum \"$2\" | cut -d ' ' -f 1)\"; elif [ -d \"$2\" ]; then printf 'D\\t%s\\t%s\\n' \"$1\" "
        "\"$(find \"$2\" -type f | wc -l | tr -d ' ')\"; else printf 'M\\t%s\\n' \"$1\"; fi; }")


def observe_script(paths: dict[str, str], keys: list[str]) -> str:
    lines = [_OBS]
    lines += [f"obs {shlex.quote(row)} {shlex.quote(path)}" for row, path in paths.items()]
    for key in keys:  # only presence is printed; the value never leaves the container
        assert KEY.match(key)
        lines.append(f"if [ -z \"${{{key}+x}}\" ]; then printf 'E\\t{key}\\tunset\\n'; elif [ -z \"${key}\" ]; "
                     f"then printf 'E\\t{key}\\tempty\\n'; else printf 'E\\t{key}\\tset\\n'; fi")
    return "\n".join(lines) + "\n"


def parse_observations(text: str) -> dict[str, dict[str, tuple[str, ...]]]:
    """`== section` headers, then protocol lines; anything else (compose's chatter) is kept apart."""
    sections: dict[str, dict[str, tuple[str, ...]]] = {}
    current = sections.setdefault("preamble", {})
    other: list[str] = []
    for line in text.splitlines():
        if line.startswith("== "):
            current = sections.setdefault(line[3:].strip(), {})
            continue
        parts = line.rstrip("\r").split("\t")
        if parts[0] in ("F", "D", "M", "E") and len(parts) >= 2:
            current[parts[1]] = tuple(parts)
        elif line.strip():
            other.append(line.strip())
    sections["other"] = {str(i): (line,) for i, line in enumerate(other[-8:])}
    return sections
