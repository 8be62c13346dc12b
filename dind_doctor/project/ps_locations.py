"""Where a PowerShell script moves its current location to a place only PowerShell can name.

At a UNC location (`Set-Location \\\\server\\share`) or on a drive made by New-PSDrive without `-Persist`,
`$PWD`, `$(pwd)`, `(Get-Location)` and their `.Path` are PowerShell paths: the stock prompt reads
`PS Microsoft.PowerShell.Core\\FileSystem::\\\\server\\share>`, and `"$PWD"` is that text, or `Proj:\\x` for
a PowerShell drive. No program outside PowerShell can read either; `$PWD.ProviderPath` (PathInfo.ProviderPath,
the path as the FileSystem provider knows it: `\\\\server\\share`) and `Convert-Path .` can.
about_Locations / Set-Location: `cd`, `chdir`, `sl` and `Push-Location` (`pushd`) move the location; the
path is the first positional argument or `-Path`/`-LiteralPath`. New-PSDrive (`ndr`): `-Name`, `-Root`,
`-Persist` (a drive letter Windows maps too).
"""
from __future__ import annotations

import re

from ..records import dataclass
from .command_words import Command, Word
from .current_folder import CURRENT_FOLDER
from .pstokens import Token
from .shell_words import commands

MOVES = frozenset({"set-location", "sl", "cd", "chdir", "push-location", "pushd"})
NEW_DRIVE = frozenset({"new-psdrive", "ndr"})
_PATH_NAMES = frozenset({"-path", "-literalpath", "-lp", "-pspath"})
# A UNC path, plain or provider-qualified (`FileSystem::\\server\share`, `Microsoft.PowerShell.Core\FileSystem::...`).
UNC = re.compile(r"^(?:(?:Microsoft\.PowerShell\.Core\\)?FileSystem::)?\\\\[^\\/\s]+[\\/][^\\/\s]+", re.I)
_DRIVE = re.compile(r"^([A-Za-z_][\w-]*):(?:[\\/]|$)")
# What a script needs to hold for a move to matter: no UNC path, provider name or New-PSDrive, no need to
# build every command's words (the docker-command reader builds only those that mention docker).
_MAY_MOVE = re.compile(r"\\\\|FileSystem::|New-PSDrive|\bndr\b", re.I)
# The current folder as PowerShell writes it, minus the forms that already give the provider's path.
PROVIDER_SAFE = re.compile(r"ProviderPath|Convert-Path", re.I)


@dataclass(frozen=True)
class LocationMove:
    """A Set-Location (or alias) to a place whose PowerShell path no other program reads."""

    line: int
    command: str  # as written: `cd \\server\share`
    why: str  # "a UNC share" or "the PowerShell drive `Proj:` (New-PSDrive, line 3)"


def _arguments(words: tuple[Word, ...], names: frozenset[str]) -> tuple[str | None, dict[str, str], set[str]]:
    """The first positional value, the values of named parameters (lower case names), and the switches."""
    positional: str | None = None
    named: dict[str, str] = {}
    switches: set[str] = set()
    k = 1
    while k < len(words):
        value = words[k].value
        if value.startswith("-") and len(value) > 1 and not value[1].isdigit():
            name, _, inline = value.lower().partition(":")
            if name in names and (inline or k + 1 < len(words)):
                named[name] = value.partition(":")[2] if inline else words[k + 1].value
                k += 1 if inline else 2
                continue
            switches.add(name)
        elif positional is None:
            positional = value
        k += 1
    return positional, named, switches


def moves_in(text: str, first_line: int = 1, tokens: list[Token] | None = None) -> list[LocationMove]:
    """provider_moves of a PowerShell script's commands, read only when the text may hold one."""
    return provider_moves(commands(text, "powershell", first_line, tokens)) if _MAY_MOVE.search(text) else []


def provider_moves(script: list[Command]) -> list[LocationMove]:
    """Every move of the location to a UNC share or a PowerShell-only drive, in script order."""
    drives: dict[str, tuple[int, str]] = {}  # name (lower) -> (line, root) of PowerShell-only drives
    found: list[LocationMove] = []
    for command in script:
        if not command.words:
            continue
        verb = command.words[0].value.lower()
        if verb in NEW_DRIVE:
            first, named, switches = _arguments(command.words, frozenset({"-name", "-root", "-psprovider", "-n"}))
            name = named.get("-name") or named.get("-n") or first
            persisted = "-persist" in switches and name is not None and len(name) == 1
            if name and not persisted:
                drives[name.lower()] = (command.line, named.get("-root", "?"))
            continue
        if verb not in MOVES:
            continue
        first, named, _ = _arguments(command.words, _PATH_NAMES)
        target = next((named[n] for n in _PATH_NAMES if n in named), first) or ""
        written = " ".join(w.text for w in command.words)
        if UNC.match(target):
            found.append(LocationMove(command.line, written, "a UNC share"))
        elif (m := _DRIVE.match(target)) and m.group(1).lower() in drives:
            line, root = drives[m.group(1).lower()]
            found.append(LocationMove(command.line, written, f"the PowerShell drive `{m.group(1)}:` (New-PSDrive, "
                                                             f"line {line}, root `{root}`)"))
    return found


def last_move(line: int, moves: list[LocationMove]) -> LocationMove | None:
    """The last move before `line` (the script's order; a Pop-Location between is not followed)."""
    return next((move for move in reversed(moves) if move.line < line), None)


def names_folder_unreadably(value: str) -> bool:
    """`value` (a docker argument) names the current folder in a form that is not the provider's path."""
    m = CURRENT_FOLDER["powershell"].search(value)
    return m is not None and not PROVIDER_SAFE.search(m.group(0))


def provider_path_form(text: str) -> str:
    """`text` with every current-folder form written `$($PWD.ProviderPath)`."""
    return CURRENT_FOLDER["powershell"].sub(lambda m: m.group(0) if PROVIDER_SAFE.search(m.group(0))
                                            else "$($PWD.ProviderPath)", text)
