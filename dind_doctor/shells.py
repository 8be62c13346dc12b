"""Which shell the user types in, so that every fix is written for it."""
from __future__ import annotations

import os
import sys
from typing import Iterable, Mapping

from .choices import SHELLS

# Process names (lower case, without .exe) that identify a shell.
_PROCESS_SHELLS = {
    "pwsh": "powershell",
    "powershell": "powershell",
    "powershell_ise": "powershell",
    "cmd": "cmd",
    "bash": "bash",
    "zsh": "bash",
    "sh": "bash",
    "dash": "bash",
    "ash": "bash",
    "fish": "bash",
    "ksh": "bash",
}


def shell_from_process_name(name: str) -> str | None:
    base = name.lower()
    if base.endswith(".exe"):
        base = base[:-4]
    return _PROCESS_SHELLS.get(base)


def detect(env: Mapping[str, str] | None = None, platform: str | None = None,
           ancestors: Iterable[str] | None = None) -> tuple[str, str]:
    """Return (shell, reason). MSYSTEM marks Git Bash/MSYS2 even when bash is the nearest ancestor."""
    env = os.environ if env is None else env
    platform = platform or sys.platform
    if ancestors is None:
        from .processes import ancestor_names  # psutil only where /proc is missing

        ancestors = ancestor_names()
    for name in ancestors:
        shell = shell_from_process_name(name)
        if shell == "bash" and env.get("MSYSTEM"):
            return "gitbash", f"parent process {name} with MSYSTEM={env['MSYSTEM']}"
        if shell:
            return shell, f"parent process {name}"
    if env.get("MSYSTEM"):
        return "gitbash", f"MSYSTEM={env['MSYSTEM']}"
    if platform == "win32":
        return "powershell", "Windows default"
    return "bash", f"{platform} default"


def validate(shell: str) -> str:
    if shell not in SHELLS:
        raise ValueError(f"unknown shell {shell!r}; choose one of {', '.join(SHELLS)}")
    return shell
