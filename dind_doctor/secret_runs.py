"""Long runs of base64/hex characters: which are credentials (masked) and which are identifiers with a clear
structure (shown), and the marker that replaces a secret. Used by secret_rules.shapes_masked.

A run is 32+ characters of `[A-Za-z0-9+/_-]` (and base64 padding), after a space, a quote, a `=` or the start.
Masked: 32+ hex digits (API keys, 128- and 256-bit tokens) unless a Docker object id where the daemon writes
it; a run without `/` that mixes upper and lower case (Fernet and session tokens, base62 keys; no digit
needed: one random 32-byte key in a thousand has none); a run with `/` holding a `+` or the `=` padding
(standard base64: `openssl rand -base64 32`, AWS secret keys) or a mixed-case part that is no name.
Shown: identifiers. Only the shape is judged here: a value the project declares secret is masked before
(Masker: known values), whatever its shape.

What an identifier is, and why a random token is not one: its segments (between `_`, `-`, `/`) are words of
one casing, numbers, names of words (`Vol2`, `MyAPIClient`, `SQLServer`), and the `T` of an ISO date-time
(`2026-11-27T10`: a run stops at the `:` of `10:00:00`): Airflow's run ids (`__airflow_temporary_run_<ISO
date-time>__`, `dataset_triggered__<...>`), Dockerfile and compose names, paths. A random token's segments mix
cases and digits letter by letter: lower case runs of one letter, digits inside words. A name's words have
2+ lower case letters after at most 5 capitals, its digits at its end; a run without separators must read as
words of 3+ lower case letters (`AirflowDockerOperatorDeprecationWarning`). tests/unit/
test_masking_identifiers.py draws 30,000 random credentials of six kinds on every run (seeded), and none of
the millions drawn with other seeds while writing these rules passed.
"""
from __future__ import annotations

import re
import sys

_LONG_RUN = re.compile(r"(?<![A-Za-z0-9+/_-])[A-Za-z0-9+/_-]{32,}={0,2}")
_HEX_RUN = re.compile(r"(?<![A-Za-z0-9])[0-9a-fA-F]{32,}(?![A-Za-z0-9])")
_CASES = re.compile(r"(?=.*[A-Z])(?=.*[a-z])")

_DATE_TIME = re.compile(r"\d{4}-?\d{2}-?\d{2}T\d{2}(?=$|[-_/])")
_SEPARATORS = re.compile(r"[-_]+")
# One casing: `run`, `SQL`, `Server`, `Vol2`, `2019`.
_PLAIN_SEGMENT = re.compile(r"[a-z]+\d{0,4}|[A-Z]+\d{0,4}|[A-Z][a-z]+\d{0,4}|\d+")
# A short name of words (`Vol2`, `MyApp`, `JohnDoe`, `SQLServer`), and a long one (8+ characters), whose words
# after the first have 3+ lower case letters (`MyAPIClient`, `DockerOperator2`): random letters keep a lower
# case run that long about once in 8 runs. Possessive: a failing match never backtracks through splits.
# Python 3.10 has no possessive quantifier (`re.error: multiple repeat`): there the runs are plain greedy
# ones, which match the same segments (what follows a lower case run can never take a lower case letter) and
# only backtrack more on a segment that fails (tests/unit/test_masking_identifiers.py compares both).
_HOLD = "+" if sys.version_info >= (3, 11) else ""
_FIRST_WORD = rf"(?:[a-z]{{2,}}{_HOLD}|[A-Z][a-z]+{_HOLD}|[A-Z]{{2,5}}[a-z]{{2,}}{_HOLD})"  # `my`, `My`, `SQLServer`, not `OIGu`
_SHORT_NAME = re.compile(_FIRST_WORD + rf"(?:[A-Z]{{1,5}}[a-z]{{2,}}{_HOLD})*[A-Z]{{0,5}}\d{{0,4}}")
_LONG_NAME = re.compile(_FIRST_WORD + rf"(?:[A-Z]{{1,5}}[a-z]{{3,}}{_HOLD})*[A-Z]{{0,5}}\d{{0,4}}")
_WORDS_ALONE = re.compile(rf"(?:[a-z]{{3,}}{_HOLD}|[A-Z]{{1,5}}[a-z]{{3,}}{_HOLD})(?:[A-Z]{{1,5}}[a-z]{{3,}}{_HOLD})*")
_WORD = re.compile(r"[A-Za-z]{3}")
_LOWER_RUNS = re.compile(r"[a-z]+")
_VOWELS = re.compile(r"[aeiouy]")
# dind-doctor's own names: `dind-doctor-<run id: 12 hex>-<component or compose key>-...` (engine/resources.py)
_OWN_NAME = re.compile(r"dind-doctor-[0-9a-f]{12}-[A-Za-z0-9_-]+")
# Where a 64-hex run is a Docker object id, public to anyone who may run `docker ps --no-trunc`: after
# `sha256:` (image ids and digests: content addresses), and as a path part under the daemon's own folders
# (`/var/lib/docker/containers/<id>/`, overlay2 layers, cgroup v1 `/docker/<id>`, systemd `docker-<id>.scope`).
_DAEMON_ID_BEFORE = ("sha256:", "/containers/", "/overlay2/", "/docker/", "/docker-")


def marker(length: int) -> str:
    """What replaces a secret: its length only, never a character of it."""
    return f"***({length})"


def _name(segment: str) -> bool:
    """One name of words (a path's folder: `OneDrive`, `MyApp`, `PowerShell7`)."""
    if len(segment) < 8:  # `JohnDoe`, `AppData`: too short to tell words from chance by their lengths
        return bool(_SHORT_NAME.fullmatch(segment))
    return bool(_LONG_NAME.fullmatch(segment)) and _reads_as_words(segment)


def _pascal(segment: str) -> bool:
    """camelCase or PascalCase words of 3+ lower case letters (`CallWrapper`, `DockerOperator`)."""
    return bool(_WORDS_ALONE.fullmatch(segment)) and _reads_as_words(segment)


def _reads_as_words(text: str) -> bool:
    """The lower case runs of a name are words: 3 letters long on average (random letters: 1.7), and at
    most half of those of 3+ letters without a vowel, y included (`src`, `pkg`; random: nearly half)."""
    runs = _LOWER_RUNS.findall(text)
    if not runs:
        return True
    long_runs = [r for r in runs if len(r) >= 3]
    return sum(map(len, runs)) >= 3 * len(runs) and 2 * sum(not _VOWELS.search(r) for r in long_runs) <= len(long_runs)


def identifier(part: str, alone: bool = True) -> bool:
    """`part` (a run without `/`, or one part of a path when not `alone`) reads as a name, not a token:
    words of one casing each between `_`/`-` (a random segment of 8 characters keeps one casing about once in
    a thousand draws); alone and unseparated, words of 3+ lower case letters (PascalCase); a path's folder,
    a name of words."""
    if _OWN_NAME.fullmatch(part):
        return True
    segments = [s for s in _SEPARATORS.split(_DATE_TIME.sub("0", part)) if s]
    if len(segments) == 1:
        one = segments[0]
        if _PLAIN_SEGMENT.fullmatch(one):
            return True
        return _pascal(one) if alone else _name(one)
    words = sum(bool(_WORD.search(s)) for s in segments)
    if not alone:  # a path's folder (`06_DinD`): base64 and base64url never hold both `/` and `_` or `-`
        return all(_PLAIN_SEGMENT.fullmatch(s) or _name(s) for s in segments)
    return words >= 2 and all(_PLAIN_SEGMENT.fullmatch(s) or _pascal(s) for s in segments)


def _daemon_id(text: str, start: int, hex_run: str) -> bool:
    if text.endswith("sha256:", 0, start):
        return True  # a content address, whatever its length
    return len(hex_run) == 64 and any(text.endswith(before, 0, start) for before in _DAEMON_ID_BEFORE)


def _credential(run: str) -> bool:
    if "/" not in run:
        return bool(_CASES.match(run)) and not identifier(run)
    if ("+" in run or run.endswith("=")) and _CASES.match(run):
        return True  # standard base64: no path holds a `+` or ends with padding
    return any(_CASES.match(part) and not identifier(part, alone=False) for part in run.split("/"))


def _long_run(m: re.Match[str]) -> str:
    run = m.group(0)
    if _credential(run):
        return marker(len(run))
    return _HEX_RUN.sub(lambda h: h.group(0) if _daemon_id(m.string, m.start() + h.start(), h.group(0))
                        else marker(len(h.group(0))), run)


def long_runs_masked(text: str) -> str:
    if len(text) < 32:  # no run fits: most texts masked (summaries, names, paths) are that short
        return text
    return _LONG_RUN.sub(_long_run, text)
