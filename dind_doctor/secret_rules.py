"""What counts as a secret, whatever its source: secret-looking names, the values that are ordinary
configuration, credential shapes (key prefixes, JWTs, PEM bodies, long random runs), URL userinfo, and the
marker that replaces a secret. Pure rules: the Masker (masking.py) applies them, evidence_shapes.py uses
the marker.
"""
from __future__ import annotations

import re

from .secret_runs import long_runs_masked, marker

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


# Each shape with the strings one of which every match holds: a text that holds none is not searched for it
# (an `in` test in C; most texts hold no prefix at all, and a pattern never needed is never compiled).
# Masked whole before the long runs: their parts are runs of their own.
_WHOLE = (
    (("-----BEGIN ",), re.compile(
        r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z0-9 ]*PRIVATE KEY-----|\Z)")),
    (("eyJ",), re.compile(_prefixed("eyJ", r"[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*"))),  # JWT
)
# Masked after the long runs: a prefix met inside a random run would mask only its end.
_PREFIXED = (
    (("MII",), re.compile(_prefixed("MII", r"[A-Za-z0-9+/]{8,}={0,2}"))),  # a DER body in base64 (PEM lines)
    (("AKIA", "ASIA", "AGPA", "AIDA", "AROA", "ANPA"),  # AWS access key ids
     re.compile(_prefixed("AKIA|ASIA|AGPA|AIDA|AROA|ANPA", r"[A-Z0-9]{16}(?![A-Za-z0-9])"))),
    (("k_live_", "k_test_"),  # Stripe
     re.compile(_prefixed("sk_live_|sk_test_|rk_live_|rk_test_|pk_live_|pk_test_", r"[A-Za-z0-9]{8,}"))),
    (("gh",), re.compile(_prefixed("ghp_|gho_|ghu_|ghs_|ghr_", r"[A-Za-z0-9]{20,}"))),  # GitHub
    (("github_pat_",), re.compile(_prefixed("github_pat_", r"[A-Za-z0-9_]{20,}"))),
    (("xox",), re.compile(_prefixed("xoxa-|xoxb-|xoxp-|xoxo-|xoxs-|xoxr-", r"[A-Za-z0-9-]{8,}"))),  # Slack
    (("glpat-",), re.compile(_prefixed("glpat-", r"[A-Za-z0-9_-]{16,}"))),  # GitLab
    (("AIza",), re.compile(_prefixed("AIza", r"[0-9A-Za-z_-]{30,}"))),  # Google API keys
    (("npm_",), re.compile(_prefixed("npm_", r"[A-Za-z0-9]{30,}"))),  # npm
    (("hf_",), re.compile(_prefixed("hf_", r"[A-Za-z0-9]{30,}"))),  # Hugging Face
)
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
    """`text` with every credential shape masked: PEM blocks and JWTs whole first (their parts are runs too),
    then the long runs, then the prefixed keys. A prefix found inside a random run (`..._MIIe...`,
    `MIIe..._Bev2...`) would otherwise mask only its end and show the rest of the run."""
    text = _shapes_masked(text, _WHOLE)
    return _shapes_masked(long_runs_masked(text), _PREFIXED)


def _shapes_masked(text: str, shapes: tuple[tuple[tuple[str, ...], re.Pattern[str]], ...]) -> str:
    for needles, shape in shapes:
        if any(needle in text for needle in needles):
            text = shape.sub(_marked, text)
    return text


def _marked(m: re.Match[str]) -> str:
    return marker(len(m.group(0)))


def mask_userinfo(m: re.Match[str]) -> str:
    userinfo = m.group("userinfo")
    if ":" not in userinfo and shapes_masked(userinfo) == userinfo:
        return m.group(0)  # ssh://user@host: a user name alone is no secret
    return f"{m.group('scheme')}{marker(len(userinfo))}@"


def mask_url(url: str) -> str:
    """A URL as it may be shown: its userinfo masked (DOCKER_HOST=tcp://user:password@host)."""
    return URL_USERINFO.sub(mask_userinfo, url)
