"""What counts as a secret, whatever its source: secret-looking names, the values that are ordinary
configuration, credential shapes (key prefixes, JWTs, PEM bodies, long random runs), URL userinfo, and the
marker that replaces a secret. Pure rules: the Masker (masking.py) applies them, evidence_shapes.py uses
the marker.
"""
from __future__ import annotations

import re

SECRET_NAME = re.compile(r"PASS|SECRET|TOKEN|KEY|CRED|PRIVATE|AUTH|SALT|SIGNATURE|(?:^|_)PWD?(?:_|$)",
                         re.IGNORECASE)
SHELL_NAMES = frozenset({"PWD", "OLDPWD"})  # the shell's current and previous folders, not passwords
# Shorter values are never masked by value: a 1-3 character secret protects nothing (any guess finds it),
# and masking it would rewrite line numbers, "dev", "no" or "x" all over the report.
MIN_LENGTH = 4
PLAIN_WORDS = frozenset({"true", "false", "yes", "no", "on", "off", "none", "null", "nil", "enabled", "disabled",
                         "always", "never", "auto", "default", "debug", "info", "warning", "error"})

# Values that are configuration, not secrets, under a name that does not say "secret": masking them would
# make half a report `***` (hosts, regions, users, buckets, image names, log levels, ports, paths, URLs
# whose userinfo is masked on its own). A secret-named variable is masked whatever its value looks like.
_NUMBER = re.compile(r"[+-]?\d+(?:[.:]\d+)*[A-Za-z]{0,3}")  # 5432, 8080:80, 3.12, 30s, 512m
REFERENCE = re.compile(r"\$\{?[A-Za-z_]\w*(?::?[-?+=][^}]*)?\}?|\$env:[A-Za-z_]\w*|%[A-Za-z_]\w*%")
_LOWER_WORD = re.compile(r"[a-z0-9]+(?:[-_./:][a-z0-9]+)*")  # eu-west-3, db:5432, python:3.12-slim
_UPPER_WORD = re.compile(r"[A-Z]+(?:[-_.][A-Z]+)*")  # INFO, READ_ONLY
# Words without digits, any case: a description, a product or a display name ("Docker", "My App",
# "Extractor-SQL"). Fed as a secret they would be masked inside every word that holds them
# ("DockerOperator", "Dockerfile") all over the report; under a secret-looking name they still are.
_PLAIN_TEXT = re.compile(r"[A-Za-z]+(?:[ _.-][A-Za-z]+)*")
_PATH = re.compile(r"(?:/|\./|\.\./|~/|[A-Za-z]:[\\/]|\\\\)[^\s@]*")
# A file path under a secret name (KEY_FILE=/run/secrets/key, SSH_AUTH_SOCK) says where a secret is, and
# is none: masking it would hide every path below it (the project's own, often) all over the report.
SECRET_FILE = re.compile(r"(?:/|~/|[A-Za-z]:[\\/])[\w.-]+(?:[\\/][\w.-]+)+")
_RANDOM_RUN = re.compile(r"(?=[a-z0-9]*\d)(?=[a-z0-9]*[a-z])[a-z0-9]{16,}")  # a lowercase random token

URL_USERINFO = re.compile(r"(?P<scheme>\b[A-Za-z][A-Za-z0-9+.-]*://)(?P<userinfo>[^/\s@\"'`]+)@")

# Credentials recognised by their shape alone. Each is anchored on a known prefix, or on a length long
# enough that no word, path or id dind-doctor prints has it. Each prefix pattern starts with its literal
# (the regex engine then jumps from one occurrence to the next) and checks the character before it with a
# look-behind; one pattern each, applied in turn (an alternation is tried branch by branch at every
# position: several times slower).
_B = "(?<![A-Za-z0-9]{})"  # not preceded by a letter or digit, the literal's own width given


def _prefixed(literals: str, rest: str) -> str:
    width = len(literals.split("|")[0])
    return f"(?:{literals}){_B.format('.' * width)}{rest}"


CREDENTIAL_SHAPES = tuple(re.compile(p) for p in (
    r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z0-9 ]*PRIVATE KEY-----|\Z)",
    _prefixed("MII", r"[A-Za-z0-9+/]{8,}={0,2}"),  # a DER body in base64 (PEM lines: MIIE..., MIIB...)
    _prefixed("AKIA|ASIA|AGPA|AIDA|AROA|ANPA", r"[A-Z0-9]{16}(?![A-Za-z0-9])"),  # AWS access key ids
    _prefixed("sk_live_|sk_test_|rk_live_|rk_test_|pk_live_|pk_test_", r"[A-Za-z0-9]{8,}"),  # Stripe
    _prefixed("ghp_|gho_|ghu_|ghs_|ghr_", r"[A-Za-z0-9]{20,}"),  # GitHub
    _prefixed("github_pat_", r"[A-Za-z0-9_]{20,}"),
    _prefixed("xoxa-|xoxb-|xoxp-|xoxo-|xoxs-|xoxr-", r"[A-Za-z0-9-]{8,}"),  # Slack
    _prefixed("glpat-", r"[A-Za-z0-9_-]{16,}"),  # GitLab
    _prefixed("AIza", r"[0-9A-Za-z_-]{30,}"),  # Google API keys
    _prefixed("npm_", r"[A-Za-z0-9]{30,}"),  # npm
    _prefixed("hf_", r"[A-Za-z0-9]{30,}"),  # Hugging Face
    _prefixed("eyJ", r"[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*"),  # JWT
))
# Runs of 32+ base64/hex characters, judged one by one (_long_run): 32+ hex digits (API keys, 128-bit
# tokens; shorter runs are container ids and run ids), or 32+ characters mixing upper case, lower case
# and digits (Fernet and AWS secret keys, session tokens; a whole run of 32+ needs no digit: one random
# base64 key in a thousand has none), unless the run is an identifier with a clear structure (_identifier).
# Only the shape is judged here: a value the project declares secret is masked before (Masker: known
# values), whatever its shape.
_LONG_RUN = re.compile(r"(?<![A-Za-z0-9+/_-])[A-Za-z0-9+/_-]{32,}={0,2}")
_HEX_RUN = re.compile(r"(?<![A-Za-z0-9])[0-9a-fA-F]{32,}(?![A-Za-z0-9])")
_MIXED = re.compile(r"(?=.*[A-Z])(?=.*[a-z])(?=.*\d)")
_CASES = re.compile(r"(?=.*[A-Z])(?=.*[a-z])")

# An identifier: words between `_`, `-` or `/`, each ONE casing (lower, UPPER, Capitalized, camelCase or
# PascalCase), a number, or a word and a short number (`Vol2`, `Server2019`), and the `T` of a date-time
# (`2026-11-27T10`: a run stops at the `:` of `10:00:00`). Airflow's run ids (`__airflow_temporary_run_<ISO
# date-time>__`, `dataset_triggered__<...>`), Dockerfile and compose names. A random token (base64,
# base64url, base62) does not split so: its segments mix cases and digits at random (none of 300,000 drawn
# did; tests/unit/test_masking_identifiers.py draws 30,000 on every run).
_DATE_TIME = re.compile(r"\d{4}-?\d{2}-?\d{2}T\d{2}(?=$|[-_/])")
_SEPARATORS = re.compile(r"[-_/]+")
_SEGMENT = re.compile(r"(?:[a-z]+|[A-Z]+|(?:[A-Z][a-z]+)+|[a-z]+(?:[A-Z][a-z]+)+|[A-Z]+[a-z]+)\d{0,4}|\d+")
_WORD = re.compile(r"[A-Za-z]{3}")
_TWO_LOWER = re.compile(r"[a-z]{2}")  # a mixed-case segment holds a word, not `AbCdEf` (one letter per case)
# One segment alone: words of 2+ letters, each lower or Capitalized, and acronyms (`SQLServerConnectionFactory`,
# `AirflowDockerOperatorDeprecationWarning`); possessive, so a failing match never backtracks through splits.
_WORDS = re.compile(r"(?:[A-Z]{2,}(?![a-z])|[A-Z]?[a-z]{2,}+)+\d{0,4}")
# dind-doctor's own names: `dind-doctor-<run id: 12 hex>-<component or compose key>-...` (engine/resources.py)
_OWN_NAME = re.compile(r"dind-doctor-[0-9a-f]{12}-[A-Za-z0-9_-]+")
# Where a 64-hex run is a Docker object id, public to anyone who may run `docker ps --no-trunc`: after
# `sha256:` (image ids and digests: content addresses), and as a path part under the daemon's own folders
# (`/var/lib/docker/containers/<id>/`, overlay2 layers, cgroup v1 `/docker/<id>`, systemd `docker-<id>.scope`).
_DAEMON_ID_BEFORE = ("sha256:", "/containers/", "/overlay2/", "/docker/", "/docker-")


def _identifier(part: str) -> bool:
    if _OWN_NAME.fullmatch(part):
        return True
    segments = [s for s in _SEPARATORS.split(_DATE_TIME.sub("0", part)) if s]
    if len(segments) == 1:
        return bool(_WORDS.fullmatch(segments[0]))
    return len(segments) >= 2 and sum(bool(_WORD.search(s)) for s in segments) >= 2 and \
        all(_SEGMENT.fullmatch(s) and (not _CASES.match(s) or _TWO_LOWER.search(s))
            for s in segments)


def _daemon_id(text: str, start: int, hex_run: str) -> bool:
    if text.endswith("sha256:", 0, start):
        return True  # a content address, whatever its length
    return len(hex_run) == 64 and any(text.endswith(before, 0, start) for before in _DAEMON_ID_BEFORE)


def _long_run(m: re.Match[str]) -> str:
    run = m.group(0)
    # With a `/`, a run is a path (tests/fixtures/Chapter_01/Dockerfile) unless one of its parts is
    # itself a long random string (base64 uses `/`: an AWS secret key holds one or two).
    parts = run.split("/") if "/" in run else [run]
    suspect = [run] if len(parts) == 1 and _CASES.match(run) else \
        [part for part in parts if len(part) >= 16 and _MIXED.match(part)]
    if any(not _identifier(part) for part in suspect):
        return marker(len(run))
    return _HEX_RUN.sub(lambda h: h.group(0) if _daemon_id(m.string, m.start() + h.start(), h.group(0))
                        else marker(len(h.group(0))), run)


def marker(length: int) -> str:
    """What replaces a secret: its length only, never a character of it."""
    return f"***({length})"


def is_secret_name(name: str) -> bool:
    return name.upper() not in SHELL_NAMES and bool(SECRET_NAME.search(name))


def is_ordinary(value: str) -> bool:
    """A value shown as it is when its name does not say "secret" (see the patterns above)."""
    v = value.strip().strip("\"'")
    if len(v) < MIN_LENGTH or v.lower() in PLAIN_WORDS or "://" in v:
        return True
    if _NUMBER.fullmatch(v) or REFERENCE.fullmatch(v) or _UPPER_WORD.fullmatch(v) or _PLAIN_TEXT.fullmatch(v):
        return True
    if _PATH.fullmatch(v):
        return True
    return bool(_LOWER_WORD.fullmatch(v)) and not _RANDOM_RUN.search(v)


def shapes_masked(text: str) -> str:
    """`text` with every credential shape masked."""
    for shape in CREDENTIAL_SHAPES:
        text = shape.sub(lambda m: marker(len(m.group(0))), text)
    return _LONG_RUN.sub(_long_run, text)


def mask_userinfo(m: re.Match[str]) -> str:
    userinfo = m.group("userinfo")
    if ":" not in userinfo and shapes_masked(userinfo) == userinfo:
        return m.group(0)  # ssh://user@host: a user name alone is no secret
    return f"{m.group('scheme')}{marker(len(userinfo))}@"


def mask_url(url: str) -> str:
    """A URL as it may be shown: its userinfo masked (DOCKER_HOST=tcp://user:password@host)."""
    return URL_USERINFO.sub(mask_userinfo, url)
