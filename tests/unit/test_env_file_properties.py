"""Property tests for the .env reader: it never raises, its lines are real lines, and masks never show
a value's characters."""
from __future__ import annotations

from hypothesis import given, settings, strategies as st

from dind_doctor.evidence_shapes import value_shape
from dind_doctor.project.dotenv_lint import lint

PIECES = st.sampled_from(["A", "KEY_1", "=", " = ", "export ", "\n", "\r\n", "\r", '"', "'", "#", " # c", "\\",
                          "value", "\ufeff", "é", "\t", "${X}", "==", " "])
ENV_TEXT = st.one_of(st.text(max_size=200), st.lists(PIECES, max_size=50).map("".join))


@settings(max_examples=500, deadline=None)
@given(ENV_TEXT)
def test_lint_never_raises_and_lines_are_in_range(text):
    report = lint(text)
    n_lines = text.count("\n") + 1
    for issue in report.issues:
        assert 1 <= issue.line <= n_lines
    for key, line in report.lines.items():
        assert 1 <= line <= n_lines and key in report.values


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=60))
def test_mask_shows_no_character_of_the_value(value):
    shown = value_shape(value)
    visible = set(value) - set("\r \t") - set("*␍·→()0123456789 emptynovalue")
    assert not visible & set(shown)


@settings(max_examples=300, deadline=None)
@given(ENV_TEXT)
def test_fixed_line_endings_leave_no_cr_issue(text):
    from dind_doctor.project.fixers import to_lf

    fixed = to_lf(text.encode("utf-8", "surrogatepass")).decode("utf-8", "surrogatepass")
    assert not [i for i in lint(fixed).issues if i.kind in ("crlf", "cr-value")]
