"""What masking costs, counted in operations (never timed): a text masked again is not scanned again, a
credential shape is searched for only in texts that hold its prefix, and a script's values are searched for
in the lines that assign only."""
from __future__ import annotations

import random
import re
from typing import Any

import pytest

from dind_doctor import masking, secret_rules, secret_sources
from dind_doctor.masking import Masker


class _Counted:
    """A compiled shape that counts its searches."""

    def __init__(self, shape: re.Pattern[str]) -> None:
        self.shape, self.subs = shape, 0

    def sub(self, repl: Any, text: str) -> str:
        self.subs += 1
        return self.shape.sub(repl, text)


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> dict[str, _Counted]:
    """Every shape of secret_rules replaced by a counting one, by the pattern's source."""
    shapes: dict[str, _Counted] = {}
    for table in ("_WHOLE", "_PREFIXED"):
        wrapped = []
        for needles, shape in getattr(secret_rules, table):
            shapes[shape.pattern] = _Counted(shape)
            wrapped.append((needles, shapes[shape.pattern]))
        monkeypatch.setattr(secret_rules, table, tuple(wrapped))
    return shapes


def test_a_text_masked_again_is_not_scanned_again(monkeypatch: pytest.MonkeyPatch) -> None:
    masker = Masker(["s3cr3t-value-42"])
    scans: list[str] = []
    real = Masker._masked
    monkeypatch.setattr(Masker, "_masked", lambda self, text: scans.append(text) or real(self, text))
    text = "docker run -e DB=s3cr3t-value-42 image"
    assert {masker(text) for _ in range(1000)} == {"docker run -e DB=***(15) image"}
    assert len(scans) == 1


def test_a_value_added_later_is_masked_in_a_text_masked_before() -> None:
    masker = Masker()
    text = "the password is hunter2hunter2"
    assert masker(text) == text
    masker.add("hunter2hunter2")
    assert masker(text) == "the password is ***(14)"
    masker.add_value("TOKEN", "password")  # a word-like secret: a set of its own
    assert masker(text) == "the ***(8) is ***(14)"


def test_the_texts_remembered_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(masking, "MEMO_TEXTS", 50)
    masker = Masker(["s3cr3t-value-42"])
    for i in range(500):
        assert masker(f"line {i}: s3cr3t-value-42") == f"line {i}: ***(15)"
    assert len(masker._done) == 50


def test_a_shape_is_searched_for_only_in_texts_that_hold_its_prefix(counted: dict[str, _Counted]) -> None:
    masker = Masker()
    plain = [f"service web-{i} mounts ./data/{i} on /srv/data (compose.yaml line {i})" for i in range(200)]
    assert [masker(t) for t in plain] == plain
    assert sum(c.subs for c in counted.values()) == 0
    key = "AKIA" + "ABCDEFGHIJKLMNOP"
    assert masker(f"aws key {key} in .env") == "aws key ***(20) in .env"
    searched = [c.shape.pattern for c in counted.values() if c.subs]
    assert len(searched) == 1 and "AKIA" in searched[0]


def test_every_match_of_a_shape_holds_one_of_its_needles() -> None:
    """The needles are what lets a text skip a shape: each literal a shape starts with holds one."""
    for needles, shape in secret_rules._WHOLE + secret_rules._PREFIXED:
        literals = re.match(r"\(\?:([^()]*)\)", shape.pattern)
        starts = literals.group(1).split("|") if literals else [shape.pattern.split("[", 1)[0]]
        for literal in starts:
            assert any(needle in literal for needle in needles), (literal, needles)


def test_credential_shapes_are_still_masked_with_their_needles() -> None:
    masker = Masker()
    jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"
    for text in (f"Authorization: Bearer {jwt}", "token ghp_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3", "sk_live_" + "abcdEFGH1234",
                 "-----BEGIN RSA PRIVATE KEY-----\nMIIEabc\n-----END RSA PRIVATE KEY-----"):
        assert "***(" in masker(text), text


def _fed(text: str) -> list[tuple[str | None, ...]]:
    """What _SCRIPT_VALUES finds in `text` that feeds a value (an `-e`/`--build-arg` word holding a `=`,
    or an assignment)."""
    return [m.groups() for m in secret_sources._SCRIPT_VALUES.finditer(text)
            if m.group("arg") is None or "=" in secret_sources._unquote(m.group("arg"))]


def test_scripts_are_scanned_in_the_lines_that_assign_only_and_feed_the_same_values() -> None:
    pieces = ["docker run", " -e ", " --env=", "--build-arg ", "export ", "set \"", "$env:", "SET ", "A", "DB_PASS",
              "=", "==", " = ", "'x y'", "\"q\"", "s3cr3t", "-", "\n", "\n", "\r\n", " ", "\t", "#", "`", "${X}", "e"]
    rng = random.Random(15)
    for _ in range(3000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randrange(1, 40)))
        assert _fed(secret_sources._assigning_lines(text)) == _fed(text), repr(text)


def test_a_long_script_is_scanned_by_the_regex_in_its_assigning_lines_only(monkeypatch: pytest.MonkeyPatch) -> None:
    scanned: list[int] = []
    real = secret_sources._SCRIPT_VALUES

    class Counting:
        def finditer(self, text: str) -> Any:
            scanned.append(len(text))
            return real.finditer(text)

    monkeypatch.setattr(secret_sources, "_SCRIPT_VALUES", Counting())
    masker = Masker()
    prose = "Run the stack with docker compose up, then open the web UI.\n" * 10_000
    assert secret_sources.script_values(masker, prose + "export API_TOKEN=s3cr3t-t0ken-value\n" + prose) == []
    assert scanned == [len("export API_TOKEN=s3cr3t-t0ken-value")]
    assert masker("t: s3cr3t-t0ken-value") == "t: ***(18)"
