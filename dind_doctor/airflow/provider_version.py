"""Which apache-airflow-providers-docker the project's Airflow will run, read from its files.

What the provider does with `auto_remove=True` depends on its major version (3.x: a deprecation warning;
4.0.0 and later: ValueError at DAG import). The project says it in requirements files, `pip install`
lines of Dockerfiles, `_PIP_ADDITIONAL_REQUIREMENTS` in compose files, constraints URLs and the Airflow
image tag. Facts used (read in the provider's metadata): 4.0.0 needs Airflow >= 2.9, 4.6.1 needs >= 2.11,
so an unpinned provider installed with Airflow 2.9 or later resolves to a 4.x, and with an older Airflow
to a 3.x.
"""
from __future__ import annotations

import functools
import re
from bisect import bisect_right
from itertools import accumulate
from ..project.file_names import is_compose_name, is_dockerfile_name  # re only: no start-up cost
from ..project.line_search import lines_holding
from ..records import dataclass
from typing import TYPE_CHECKING, Iterable

if TYPE_CHECKING:
    from ..context import Context

PROVIDER = re.compile(
    r"apache[-_]airflow[-_]providers[-_]docker(?:\[[^\]]*\])?"
    r"(?P<spec>\s*(?:===?|~=|!=|<=|>=|<|>)\s*[\w.*+!-]+(?:\s*,\s*(?:===?|~=|!=|<=|>=|<|>)\s*[\w.*+!-]+)*)?",
    re.IGNORECASE)
AIRFLOW_IMAGE = re.compile(r"apache/airflow:(?P<tag>[\w.-]+)")
AIRFLOW_PIN = re.compile(r"apache[-_]airflow\s*==\s*(?P<version>\d+\.\d+(?:\.\d+)?)\b", re.IGNORECASE)
CONSTRAINTS = re.compile(r"constraints-(?P<version>\d+\.\d+\.\d+)/constraints")
# Every match of the four patterns above holds `airflow` (in any case, as they fold it) or `constraints-`: only
# the lines that do are read with them (four case-folding regex searches of every line cost more than the rest
# of a run's reading).
CANDIDATE_WORDS = ("airflow", "constraints-")
VERSION = re.compile(r"(\d+)(?:\.(\d+))?(?:\.(\d+))?")
CLAUSE = re.compile(r"(===?|~=|!=|<=|>=|<|>)\s*([\w.*+!-]+)")
# A 3.x and a 4.x release at each end of their series: a specifier allows a series when it allows one.
SAMPLES = {3: ("3.0.0", "3.10.0", "3.14.1"), 4: ("4.0.0", "4.4.5", "4.6.1", "4.99.0")}


@dataclass(frozen=True)
class Clue:
    rel: str
    line: int
    text: str  # the matched text only (a requirement, an image reference, a constraints URL): never a value


@dataclass(frozen=True)
class ProviderVersion:
    series: str  # "4.x", "3.x" or "unknown"
    reasoning: str  # one sentence a finding can quote
    clues: tuple[Clue, ...] = ()


def parse_version(text: str) -> tuple[int, ...] | None:
    match = VERSION.search(text)
    if match is None:
        return None
    return tuple(int(part) for part in match.groups() if part is not None)


def _cmp(a: tuple[int, ...], b: tuple[int, ...]) -> int:
    width = max(len(a), len(b))
    a, b = a + (0,) * (width - len(a)), b + (0,) * (width - len(b))
    return (a > b) - (a < b)


def allows(spec: str, version: str) -> bool:
    """Whether a PEP 440 specifier (the common operators, release numbers only) allows `version`."""
    have = parse_version(version) or (0,)
    for op, raw in CLAUSE.findall(spec):
        if raw.endswith(".*"):
            prefix = parse_version(raw[:-2]) or (0,)
            same = have[: len(prefix)] == prefix
            if (op in ("==", "===") and not same) or (op == "!=" and same):
                return False
            continue
        want = parse_version(raw)
        if want is None:
            continue
        order = _cmp(have, want)
        ok = {"==": order == 0, "===": order == 0, "!=": order != 0, ">=": order >= 0, "<=": order <= 0,
              ">": order > 0, "<": order < 0,
              "~=": order >= 0 and have[: max(1, len(want) - 1)] == want[: max(1, len(want) - 1)]}[op]
        if not ok:
            return False
    return True


def series_allowed(spec: str) -> set[int]:
    return {major for major, samples in SAMPLES.items() if any(allows(spec, v) for v in samples)}


def scan(sources: Iterable[tuple[str, str]]) -> tuple[list[tuple[Clue, str]], list[tuple[Clue, str]]]:
    """(provider requirements with their specifier, Airflow versions) found in (rel, text) pairs."""
    providers: list[tuple[Clue, str]] = []
    airflows: list[tuple[Clue, str]] = []
    for rel, text in sources:
        for number, line in _candidate_lines(text):
            stripped = line.strip()
            if not stripped or stripped.startswith("#"):
                continue
            for match in PROVIDER.finditer(line):
                providers.append((Clue(rel, number, match.group(0)), (match.group("spec") or "").strip()))
            for pattern, group in ((AIRFLOW_IMAGE, "tag"), (AIRFLOW_PIN, "version"), (CONSTRAINTS, "version")):
                for match in pattern.finditer(line):
                    version = parse_version(match.group(group))
                    if version is not None:
                        airflows.append((Clue(rel, number, match.group(0)), ".".join(map(str, version))))
    return providers, airflows


# The only characters IGNORECASE matches to a letter of CANDIDATE_WORDS that str.lower does not turn into it
# (U+0130 is also the only one str.lower turns into two characters), found by testing every code point.
_FOLDED_ONTO_WORDS = "\u0130\u0131\u017f"


@functools.cache
def _candidate() -> re.Pattern[str]:
    """Compiled for the first text holding one of _FOLDED_ONTO_WORDS only (others are searched with str.find)."""
    return re.compile("|".join(CANDIDATE_WORDS), re.IGNORECASE)


def _candidate_lines(text: str) -> list[tuple[int, str]]:
    """(1-based number, line) of the lines of `text` (as str.splitlines cuts them) that hold one of CANDIDATE_WORDS."""
    lines = text.splitlines(keepends=True)
    starts = list(accumulate(map(len, lines), initial=0))
    if text.isascii() or not any(c in text for c in _FOLDED_ONTO_WORDS):  # str.lower keeps every position
        numbers = lines_holding(text.lower(), CANDIDATE_WORDS, starts)
    else:
        numbers = sorted({bisect_right(starts, m.start()) - 1 for m in _candidate().finditer(text)})
    return [(i + 1, lines[i].splitlines()[0]) for i in numbers]


def resolve(sources: Iterable[tuple[str, str]]) -> ProviderVersion:
    providers, airflows = scan(sources)
    clues = tuple(c for c, _ in providers) + tuple(c for c, _ in airflows)
    pinned = [(clue, spec) for clue, spec in providers if spec]
    for clue, spec in pinned:
        allowed = series_allowed(spec)
        if allowed == {4}:
            return ProviderVersion("4.x", f"{clue.rel}:{clue.line} pins the provider to {spec}: a 4.x", clues)
        if allowed == {3}:
            return ProviderVersion("3.x", f"{clue.rel}:{clue.line} pins the provider to {spec}: a 3.x", clues)
    where = f"{providers[0][0].rel}:{providers[0][0].line} names the provider without a version" if providers \
        else "the project does not name the provider (the Airflow image ships one)"
    constraint = next(((c, v) for c, v in airflows if "constraints-" in c.text), None)
    if constraint is not None:
        return ProviderVersion("unknown", f"{where}; {constraint[0].rel}:{constraint[0].line} installs with "
                                          f"Airflow {constraint[1]}'s constraints file, which pins the provider "
                                          "(dind-doctor does not fetch it)", clues)
    if not airflows:
        return ProviderVersion("unknown", f"{where}, and no Airflow version was found "
                                          "(no apache/airflow image tag, apache-airflow== pin or constraints URL)",
                               clues)
    clue, airflow = airflows[0]
    version = parse_version(airflow) or (0,)
    if not providers:
        return ProviderVersion("unknown", f"{where}: Airflow {airflow} ({clue.rel}:{clue.line}) brings the "
                                          "provider its own constraints chose", clues)
    newer = _cmp(version, (2, 9)) >= 0
    series = "4.x" if newer else "3.x"
    why = ("4.0.0 and later need Airflow >= 2.9, so pip takes a 4.x" if newer
           else "4.0.0 needs Airflow >= 2.9, so pip stays on a 3.x")
    caveat = (" (unless the image's own copy is kept: `pip install` without --upgrade keeps an installed "
              "provider; `pip show apache-airflow-providers-docker` in the image tells)"
              if newer and "apache/airflow:" in clue.text else "")
    return ProviderVersion(series, f"{where}, with Airflow {airflow} ({clue.rel}:{clue.line}): {why}{caveat}",
                           clues)


def is_version_source(name: str) -> bool:
    """requirements*.txt, constraints*.txt, Dockerfiles, compose files and .env (AIRFLOW_IMAGE_NAME)."""
    lower = name.lower()
    return (lower.endswith(".txt") and ("requirements" in lower or "constraints" in lower)) \
        or is_dockerfile_name(name) or is_compose_name(name) or lower == ".env"


def project_provider_version(ctx: Context) -> ProviderVersion:
    """The provider version of ctx's project, resolved once per Context."""
    from ..project.files import project_files

    files = project_files(ctx)

    def build() -> ProviderVersion:
        texts = ((c.rel, c.text) for c in map(files.read, files.with_name(is_version_source))
                 if c.usable)
        return resolve(texts)

    return ctx.memo("airflow provider version", build)
