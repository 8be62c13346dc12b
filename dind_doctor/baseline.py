"""Baselines: adopt dind-doctor on an old project and fail only on new findings.

A finding's fingerprint is a hash of its check id, its path and its line's text, masked by the run's
masker and with whitespace collapsed, never the line number (edits above it move it) and never the text
itself (the baseline file is committed; a hash of an unmasked `.env` line could be guessed back). A
finding without a file is known by its summary with the digits taken out (ports, pids and counts change
between runs). The baseline holds each fingerprint with a count: two identical problems in one file need
two entries.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import Callable, Sequence

from . import __version__
from .model import Finding, Status
from .errors import DindDoctorError

DEFAULT_FILE = ".dind-doctor-baseline.json"
SCHEMA = 1
PROBLEMS = (Status.WARN, Status.FAIL, Status.ERROR)
DIGITS = re.compile(r"\d+")

Key = tuple[str, str, str]  # check id, path ("" without a file), fingerprint


class BaselineError(DindDoctorError):
    """A baseline file that cannot be used: the message names it."""


def fingerprint(f: Finding, line_text: str | None) -> str:
    basis = " ".join(line_text.split()) if line_text is not None else DIGITS.sub("#", f.summary)
    path = f.location.path if f.location else ""
    import hashlib  # only for a run that prints or compares fingerprints (pipeline.collect says which)

    return hashlib.sha256(f"{f.check}\0{path}\0{basis}".encode("utf-8", "replace")).hexdigest()[:24]


def with_fingerprints(findings: Sequence[Finding], line_of: Callable[[str, int], str | None]) -> list[Finding]:
    """Problems get their fingerprint; `line_of(path, n)` gives line n of a project file (masked), or None."""
    out = []
    for f in findings:
        if f.status in PROBLEMS:
            line = line_of(f.location.path, f.location.line or 1) if f.location else None
            f = replace(f, fingerprint=fingerprint(f, line))
        out.append(f)
    return out


def key(f: Finding) -> Key:
    return (f.check, f.location.path if f.location else "", f.fingerprint)


def write(path: Path, findings: Sequence[Finding]) -> int:
    """Writes the active problems' fingerprints; returns how many."""
    keys = sorted(key(f) for f in findings if f.active and f.status in PROBLEMS and f.fingerprint)
    import json

    doc = {"schema": SCHEMA, "tool": {"name": "dind-doctor", "version": __version__},
           "fingerprints": [{"check": c, "path": p or None, "hash": h} for c, p, h in keys]}
    try:
        path.write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
    except OSError as exc:
        raise BaselineError(f"cannot write the baseline {path}: {exc.strerror or exc}") from None
    return len(keys)


def read(path: Path) -> Counter[Key]:
    import json
    import os

    from .project.file_text import read_file

    # The user named this file: a link is followed to its folder, but a FIFO or device is never opened.
    content = read_file(path, str(path), limit=64 * 1024 * 1024, root=Path(os.path.realpath(path)).parent)
    if not content.usable or content.truncated:
        raise BaselineError(f"cannot read the baseline {path}: {content.problem or 'larger than 64 MiB'}")
    try:
        doc = json.loads(content.text)
        entries = doc["fingerprints"]
        if doc.get("schema") != SCHEMA or not isinstance(entries, list):
            raise ValueError(f"schema {doc.get('schema')!r}")
        return Counter((str(e["check"]), str(e["path"] or ""), str(e["hash"])) for e in entries)
    except OSError as exc:
        raise BaselineError(f"cannot read the baseline {path}: {exc.strerror or exc}") from None
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise BaselineError(f"{path} is not a dind-doctor baseline (write one with `dind-doctor baseline`): "
                            f"{type(exc).__name__}: {exc}") from None


def only_new(findings: Sequence[Finding], known: Counter[Key]) -> tuple[list[Finding], int]:
    """The findings the baseline does not hold (suppressed ones stay as they are), and how many it held."""
    left = Counter(known)
    out, matched = [], 0
    for f in findings:
        k = key(f)
        if f.active and f.fingerprint and left[k] > 0:
            left[k] -= 1
            matched += 1
            continue
        out.append(f)
    return out, matched
