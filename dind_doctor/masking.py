"""The one masking boundary: no secret value reaches the screen, whatever the check, command or format.

Every finding of a run passes `Masker.finding` (runner.run_checks returns masked findings only, so the
table, JSON and every other renderer get masked input), and every other line a command prints from
project or daemon data passes `Masker.__call__`. A Masker hides:

- the values it was fed (`secret_sources.project_masker` feeds it every value read from the project's
  .env-like files, compose `environment:` and `build.args` literals, `-e`/`--env`/`--build-arg` values in
  scripts, Dockerfile ENV/ARG defaults, and the process environment's secret-named variables);
- the userinfo of any URL (`tcp://user:password@host` -> `tcp://***(13)@host`);
- what looks like a credential whatever its source (secret_rules.shapes_masked: key prefixes, JWTs, PEM blocks and
  bodies, long hex and base64 runs).

The marker keeps the shape (`***(N)`: N characters were there) and never shows part of a secret.
Checks still show shapes, not values, in their evidence (evidence_shapes.py): the boundary is the net
under them, not a licence to quote.
"""
from __future__ import annotations

import dataclasses
import enum
import re
import threading
from typing import Any, Iterable, Mapping, Sequence

from .model import Finding
from .secret_rules import (MIN_LENGTH, PLAIN_WORDS, SECRET_FILE, URL_USERINFO, is_ordinary, is_secret_name,
                           marker, mask_userinfo, shapes_masked)

_DEFAULT = re.compile(r"\$\{(\w+):?[-=?+]([^}]*)\}")
_JOINER_CHAR = re.compile(r"[A-Za-z0-9_.:/\\-]")  # what joins a word into a longer name: host, path, image
FEW_VALUES = 200  # up to this many known values, each is searched for (C speed); past it, one scan
MEMO_TEXTS = 4096  # texts remembered masked: a long run-reference log is masked line by line, once each


def _prefix_index(values: Iterable[str]) -> dict[str, tuple[str, ...]]:
    """The values by their first MIN_LENGTH characters, longest first: a text is scanned once, with one
    dictionary look-up per position (linear in the text, whatever the number or the length of values)."""
    index: dict[str, list[str]] = {}
    for value in values:
        index.setdefault(value[:MIN_LENGTH], []).append(value)
    return {k: tuple(sorted(v, key=len, reverse=True)) for k, v in index.items()}


class Masker:
    """Masks known secret values, URL userinfo and credential shapes in text, findings and nested data.
    Thread-safe: run-reference masks the output streams of several threads."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._values: set[str] = set()
        self._index: dict[str, tuple[str, ...]] | None = None
        self._words: set[str] = set()
        self._lock = threading.Lock()
        # Texts already masked with the values known then: a report repeats its paths, services and
        # commands in many findings. A new value starts a new dictionary (see `add` and `__call__`).
        self._done: dict[str, str] = {}
        self.problem: str | None = None  # why a source could not be read (the values it holds are unknown)
        self.add(*secrets)

    # -- feeding ------------------------------------------------------------------------------------
    def add(self, *secrets: str | None) -> None:
        """Values that are secret whatever they look like (a password, a generated credential)."""
        new = {s for s in secrets if s and len(s) >= MIN_LENGTH and s.lower() not in PLAIN_WORDS}
        new |= {s.strip() for s in new if len(s.strip()) >= MIN_LENGTH}  # as quoted with its spaces trimmed
        # A secret that reads like a word ("airflow", "postgres": the default passwords of the images) is
        # masked where it stands alone; inside a name (airflow-webserver, apache-airflow, postgres:16)
        # it is that name, and masking it there would blank the report. Anything else, wherever it is.
        words = {s for s in new if is_ordinary(s)}
        with self._lock:
            if not (new - words) <= self._values:
                self._values |= new - words
                self._index, self._done = None, {}
            if not words <= self._words:
                self._words |= words
                self._index, self._done = None, {}

    def add_value(self, name: str | None, value: str | None) -> None:
        """A value read from a project source: masked when its name says secret, or when it is not an
        ordinary configuration value; a URL's userinfo in any case."""
        if not value:
            return
        self.add_userinfo(value)
        for default in _DEFAULT.finditer(value):  # ${MINIO_ROOT_PASSWORD:-minioadmin}: the default is a value
            self.add_value(default.group(1), default.group(2))
        if value.lstrip("\"'").startswith(("$(", "`", "${")):
            return  # computed when the script runs (`$(mktemp -d)`, `${VAR}`): no literal to hide
        if (name is not None and is_secret_name(name) and not SECRET_FILE.fullmatch(value)) \
                or not is_ordinary(value):
            self.add(value, value.strip().strip("\"'"))

    def add_env(self, values: Mapping[str, str | None]) -> None:
        for name, value in values.items():
            self.add_value(name, value)

    def add_userinfo(self, text: str) -> None:
        if "://" not in text:
            return
        for match in URL_USERINFO.finditer(text):
            userinfo = match.group("userinfo")
            if ":" in userinfo:
                self.add(userinfo, userinfo.split(":", 1)[1])

    @property
    def size(self) -> int:
        return len(self._values) + len(self._words)

    # -- masking ------------------------------------------------------------------------------------
    def _lookup(self) -> dict[str, tuple[str, ...]]:
        with self._lock:
            if self._index is None:
                self._index = _prefix_index(self._values | self._words)
            return self._index

    def _stands(self, text: str, start: int, end: int, value: str) -> bool:
        """Does this occurrence count? A word-like secret only where no letter, digit, `_ . : / \\ -`
        touches it (see `add`)."""
        if value not in self._words:
            return True
        return not (start > 0 and _JOINER_CHAR.match(text, start - 1)) and not _JOINER_CHAR.match(text, end)

    def _known_spans(self, text: str) -> list[tuple[int, int]]:
        """Where the known values occur, sorted by start (longest first): each value searched for (in C)
        when they are few, else one index look-up per position; linear in the text either way."""
        index = self._lookup()
        if not index:
            return []
        spans: list[tuple[int, int]] = []
        if len(self._values) + len(self._words) <= FEW_VALUES:
            for value in self._values | self._words:
                at = text.find(value)
                while at >= 0:
                    if self._stands(text, at, at + len(value), value):
                        spans.append((at, at + len(value)))
                    at = text.find(value, at + 1)
            return sorted(spans, key=lambda span: (span[0], -span[1]))
        for i in range(len(text) - MIN_LENGTH + 1):
            for value in index.get(text[i:i + MIN_LENGTH], ()):
                if text.startswith(value, i) and self._stands(text, i, i + len(value), value):
                    spans.append((i, i + len(value)))
                    break
        return spans

    def __call__(self, text: str) -> str:
        if not text:
            return text
        # The dictionary current before the masking: a value added meanwhile replaced it, so a result
        # computed without that value is never found again.
        done = self._done
        masked = done.get(text)
        if masked is None:
            masked = self._masked(text)
            if len(done) < MEMO_TEXTS:
                done[text] = masked
        return masked

    def _masked(self, text: str) -> str:
        text = _replace_spans(text, self._known_spans(text))
        if "://" in text and "@" in text:
            text = URL_USERINFO.sub(mask_userinfo, text)
        return shapes_masked(text)

    def data(self, value: Any) -> Any:
        """Nested evidence, keys and values: strings masked, numbers, booleans and None kept, anything
        else (paths, exceptions, Docker objects) masked as its text."""
        if isinstance(value, str):
            return self(value)
        if value is None or isinstance(value, (bool, int, float)):
            return value
        if isinstance(value, Mapping):
            return {self.data(k) if isinstance(k, str) else k: self.data(v) for k, v in value.items()}
        if isinstance(value, (list, tuple, set, frozenset)):
            return [self.data(v) for v in value]
        return self(str(value))

    def finding(self, f: Finding) -> Finding:
        """Every text field of the finding, however deep (summary, detail, location, fixes, evidence, a
        suppression's reason and source, and any field added later): no update per field is needed. The check
        id stays: it is a registry name, never data, and filters, baselines and suppressions key on it (the
        stock Airflow compose file's password `airflow` would otherwise turn `airflow-dags` into `***(7)-dags`)."""
        return self._record(f)

    def _record(self, record: Any) -> Any:
        changes: dict[str, Any] = {}
        for spec in dataclasses.fields(record):
            value = getattr(record, spec.name)
            if isinstance(value, enum.Enum) or spec.name in FIXED_FIELDS:
                continue  # Status, Level: fixed words (and a str subclass that must stay an enum)
            if dataclasses.is_dataclass(value) and not isinstance(value, type):
                changes[spec.name] = self._record(value)
            elif isinstance(value, tuple) and value and all(dataclasses.is_dataclass(v) for v in value):
                changes[spec.name] = tuple(self._record(v) for v in value)
            elif isinstance(value, Mapping):
                changes[spec.name] = self.data(dict(value))
            elif isinstance(value, str):
                changes[spec.name] = self(value)
            elif isinstance(value, (list, tuple)):
                changes[spec.name] = type(value)(self.data(value))
        return dataclasses.replace(record, **changes)

    def findings(self, findings: Sequence[Finding]) -> list[Finding]:
        return [self.finding(f) for f in findings]


# Fields that hold a fixed vocabulary or a value derived from masked text, never project data: a secret
# that happens to read like one of their words (a password `bash`, `airflow`) must not change them (a Fix
# checks its shell; filters, baselines and suppressions key on the check id and the fingerprint).
FIXED_FIELDS = frozenset({"check", "shell", "kind", "fingerprint"})


def _replace_spans(text: str, spans: Iterable[tuple[int, int]]) -> str:
    """`text` with every span (sorted by start) replaced by a marker; overlapping spans merge, so that
    two secrets that overlap leave no character of either."""
    out: list[str] = []
    pos = start = end = 0
    active = False
    for s, e in spans:
        if active and s <= end:
            end = max(end, e)
            continue
        if active:
            out += [text[pos:start], marker(end - start)]
            pos = end
        start, end, active = s, e, True
    if not active:
        return text
    out += [text[pos:start], marker(end - start), text[end:]]
    return "".join(out)
