"""The `-v`/`--volume`/`--mount` arguments of the `docker` commands in a script, per shell dialect,
with what a check needs to know about each: its text, where it is, and how it is quoted.

PowerShell goes through the tokenizer (a `$(...)` followed by more text is two arguments there);
bash and cmd through a small quote-aware splitter that joins `\\` and `^` continuations.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .mount_spec import parse_mount_option
from .pstokens import Source, Token, tokenize

DOCKER_WORDS = {"docker", "docker.exe"}
PREFIX_WORDS = {"exec", "sudo", "command", "&", "call", "start"}


@dataclass(frozen=True)
class VolumeArg:
    flag: str  # -v, --volume, --mount
    text: str  # as written (quotes included)
    value: str  # quotes removed (the mount spec, or for --mount the source= value)
    line: int
    column: int
    fully_quoted: bool
    unquoted: str  # the parts of the text outside any quotes
    ps_split: bool = False  # PowerShell: `$(...)` followed by more text (two arguments)
    ps_bad_drive: bool = False  # PowerShell: `$pwd:` (InvalidVariableReferenceWithDrive)


def _mount_source(value: str) -> str | None:
    return parse_mount_option(value).source or None


# -- PowerShell -------------------------------------------------------------------------------------
def powershell_volume_args(text: str, first_line: int = 1, tokens: list[Token] | None = None) -> list[VolumeArg]:
    """`tokens`: tokenize(text), when the caller has them already."""
    src = Source(text, first_line)
    tokens = tokenize(text) if tokens is None else tokens
    commands: list[list[list[Token]]] = [[]]  # commands -> args -> tokens
    current: list[Token] = []

    def end_arg() -> None:
        nonlocal current
        if current:
            commands[-1].append(current)
            current = []

    for tok in tokens:
        if tok.kind in ("space", "continuation", "comment"):
            end_arg()
        elif tok.kind == "newline" or (tok.kind == "operator" and tok.text in ";|"):
            end_arg()
            commands.append([])
        else:
            current.append(tok)
    end_arg()
    found: list[VolumeArg] = []
    for args in commands:
        words = ["".join(t.text for t in a) for a in args]
        start = next((i for i, w in enumerate(words) if w.lower() not in PREFIX_WORDS), None)
        if start is None or words[start].lower() not in DOCKER_WORDS:
            continue
        for i in range(start + 1, len(args)):
            flag, arg = None, None
            if words[i] in ("-v", "--volume", "--mount") and i + 1 < len(args):
                flag, arg = words[i], args[i + 1]
            elif re.match(r"^(--volume|--mount)=", words[i]):
                flag, arg = words[i].split("=", 1)[0], args[i]
            if arg is None or flag is None:
                continue
            text_ = "".join(t.text for t in arg)
            if flag != words[i]:
                text_ = text_.split("=", 1)[1]
            value = "".join(t.text[1:-1] if t.kind == "string" and len(t.text) >= 2 else t.text for t in arg)
            if flag != words[i]:
                value = value.split("=", 1)[1]
            unquoted = "".join(t.text for t in arg if t.kind not in ("string", "herestring"))
            split = arg[0].kind == "open" and arg[0].text == "$(" and _closes_before_end(arg)
            bad = any(t.bad_drive for t in arg) or any(
                t.kind == "string" and t.text.startswith('"') and re.search(r"\$pwd:(?![\w:])", t.text, re.I)
                for t in arg)
            if flag == "--mount":
                value = _mount_source(value) or value
            line, col = src.position(arg[0].start)
            found.append(VolumeArg(flag, text_, value, line, col,
                                   all(t.kind == "string" for t in arg), unquoted, split, bool(bad)))
    return found


def _closes_before_end(arg: list[Token]) -> bool:
    depth = 0
    for i, tok in enumerate(arg):
        if tok.kind == "open" and tok.text.endswith("("):
            depth += 1
        elif tok.kind == "close" and tok.text == ")":
            depth -= 1
            if depth == 0:
                return i < len(arg) - 1
    return False


# -- bash and cmd -----------------------------------------------------------------------------------
def _split_shell(line: str, cmd: bool) -> list[tuple[str, int, str]]:
    """(text, 0-based column, unquoted part) of each word; cmd has no single quotes."""
    words = []
    i, n = 0, len(line)
    while i < n:
        while i < n and line[i] in " \t":
            i += 1
        if i >= n:
            break
        if line[i] == "#" and not cmd:
            break
        start, unquoted = i, []
        while i < n and line[i] not in " \t":
            ch = line[i]
            if ch == '"' or (ch == "'" and not cmd):
                end = line.find(ch, i + 1)
                i = n if end < 0 else end + 1
            elif ch == "\\" and not cmd and i + 1 < n:
                unquoted.append(line[i:i + 2])
                i += 2
            else:
                unquoted.append(ch)
                i += 1
        words.append((line[start:i], start, "".join(unquoted)))
    return words


def shell_volume_args(text: str, dialect: str, first_line: int = 1) -> list[VolumeArg]:
    cmd = dialect == "cmd"
    cont = "^" if cmd else "\\"
    found: list[VolumeArg] = []
    in_docker = False
    continuing = False
    pending: str | None = None
    for index, raw in enumerate(text.splitlines()):
        line_no = first_line + index
        stripped = raw.rstrip()
        words = _split_shell(stripped[:-1] if stripped.endswith(cont) else stripped, cmd)
        if cmd and words and words[0][0].lower() in ("rem", "::"):
            words = []
        if not continuing:
            in_docker, pending = False, None
            names = [w[0] for w in words]
            k = 0
            while k < len(names) and (names[k].lower() in PREFIX_WORDS or re.match(r"^\w+=", names[k])
                                      or names[k].lower() == "set"):
                k += 1
            in_docker = k < len(names) and names[k].lower() in DOCKER_WORDS
        if in_docker:
            for word, col, unquoted in words:
                flag = None
                if pending:
                    flag, spec = pending, word
                    pending = None
                elif word in ("-v", "--volume", "--mount"):
                    pending = word
                    continue
                elif re.match(r"^(--volume|--mount)=", word):
                    flag, spec = word.split("=", 1)[0], word.split("=", 1)[1]
                if flag is None:
                    continue
                value = re.sub(r"""["']""", "", spec) if not cmd else spec.replace('"', "")
                if flag == "--mount":
                    value = _mount_source(value) or value
                found.append(VolumeArg(flag, spec, value, line_no, col + 1,
                                       spec.startswith(('"', "'")) and spec.endswith(spec[0]) and len(spec) > 1,
                                       unquoted))
        continuing = stripped.endswith(cont)
    return found
