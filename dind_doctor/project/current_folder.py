"""How each shell writes "the folder I am in" and "the folder of this script", defined once for every
reader (the docker-command reader, pwd-path-forms, `levels`).

PowerShell (case-insensitive): `${PWD}`, `$($PWD.Path)`, `$($PWD.ProviderPath)`, `$PWD`, `$pwd.Path`, `$(pwd)`, `$(Get-Location)`, `$(gl)`,
`$(Convert-Path .)`, `(Get-Location)`, `(Get-Location).Path`; the script's folder `$PSScriptRoot`.
bash / Git Bash (case-sensitive: `$pwd` is another, unset, variable): `${PWD}`, `$PWD`, `$(pwd)`, `` `pwd` ``;
the script's folder `$(dirname "$0")`. cmd: `%cd%` (case-insensitive); the script's folder `%~dp0` (with a
trailing backslash).
"""
from __future__ import annotations

import re

_PS_LOCATION = r"(?:pwd|Get-Location|gl|Convert-Path\s+\.)"
CURRENT_FOLDER = {
    "powershell": re.compile(r"\$\(\s*\$\{?pwd\}?(?:\.(?:Provider)?Path)?\s*\)|"
                             r"\$\{pwd\}(?:\.(?:Provider)?Path)?|\$pwd\b(?:\.(?:Provider)?Path)?|"
                             rf"\$?\(\s*{_PS_LOCATION}\s*\)(?:\.(?:Provider)?Path)?", re.I),
    "bash": re.compile(r"\$\{PWD\}|\$PWD\b|\$\(\s*pwd\s*\)|`pwd`"),
    "cmd": re.compile(r"%cd%", re.I),
}
SCRIPT_FOLDER = {
    "powershell": re.compile(r"\$\{?PSScriptRoot\}?", re.I),
    "bash": re.compile(r"\$\(\s*dirname\s+(?:\"\$0\"|\$0|\"\$\{BASH_SOURCE\[0\]\}\")\s*\)"),
    "cmd": re.compile(r"%~dp0\\?", re.I),
}


def folder_refs(dialect: str) -> re.Pattern[str]:
    """Either form (the current folder or the script's) in `dialect`."""
    return _EITHER[dialect]


def expand(text: str, dialect: str, current: str, script_dir: str) -> str:
    """`text` with the dialect's folder forms replaced by `current` and `script_dir`; other variables are
    left as written (this is not a shell). cmd's `%~dp0` ends with a backslash: `%~dp0app` is `<dir>\\app`."""
    tail = "/" if dialect == "cmd" else ""
    text = SCRIPT_FOLDER[dialect].sub(lambda _m: script_dir + tail, text)
    return CURRENT_FOLDER[dialect].sub(lambda _m: current, text)


_EITHER = {d: re.compile(f"{CURRENT_FOLDER[d].pattern}|{SCRIPT_FOLDER[d].pattern}", CURRENT_FOLDER[d].flags)
           for d in CURRENT_FOLDER}
# PowerShell's and bash's forms, which cmd passes on literally: `-v $(pwd):/x` in a .cmd reaches docker as a
# volume NAME ("includes invalid characters for a local volume name").
NOT_CMD = re.compile(f"{CURRENT_FOLDER['powershell'].pattern}|{CURRENT_FOLDER['bash'].pattern}", re.I)
